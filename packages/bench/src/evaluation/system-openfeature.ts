import { type EvaluationContext, InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import { FLAG_ALL, FLAG_ALLOW, FLAG_COMBINED, FLAG_PERCENT, FLAG_RULE } from './fixtures.js';
import { contextCache, type EvalSystem } from './system.js';
import { plainCan, plainFlags } from './system-baseline.js';

/**
 * @openfeature/server-sdk with its InMemoryProvider. The provider has no targeting
 * language: each flag's `contextEvaluator` runs the baseline's hand-written check,
 * so this row measures what the OpenFeature client and provider add around it.
 */
export async function createOpenfeatureSystem(flags: FlagSet): Promise<EvalSystem> {
  const plain = plainFlags(flags);
  const evaluator = (name: string) => {
    const f = plain.get(name);
    if (!f) throw new Error(`no plain flag ${name}`);
    return (ctx: EvaluationContext) =>
      plainCan(f, ctx.benchUser as unknown as BenchUser) ? 'on' : 'off';
  };
  const config = Object.fromEntries(
    [FLAG_ALL, FLAG_ALLOW, FLAG_PERCENT, FLAG_RULE, FLAG_COMBINED].map((name) => [
      name,
      {
        variants: { on: true, off: false },
        defaultVariant: 'off',
        disabled: false,
        contextEvaluator: evaluator(name),
      },
    ]),
  );
  await OpenFeature.setProviderAndWait(new InMemoryProvider(config));
  const client = OpenFeature.getClient('rollout-bench');
  // targetingKey is OpenFeature's user id; the evaluator reads the shared user object.
  const contexts = contextCache<EvaluationContext>((u: BenchUser) => ({
    targetingKey: u.id,
    plan: u.plan,
    benchUser: u as never,
  }));
  return {
    name: '@openfeature/server-sdk',
    role: 'peer',
    async: true,
    setup:
      'OpenFeature.setProviderAndWait(new InMemoryProvider({ name: { variants, contextEvaluator } })); await client.getBooleanValue(name, false, ctx)',
    async answers(s: Scenario) {
      const out: boolean[] = [];
      for (const c of contexts(s.users)) out.push(await client.getBooleanValue(s.flag, false, c));
      return out;
    },
    body(s: Scenario) {
      const ctx = contexts(s.users);
      const name = s.flag;
      return async () => {
        let on = 0;
        for (let i = 0; i < ctx.length; i++)
          if (await client.getBooleanValue(name, false, ctx[i] as EvaluationContext)) on++;
        return on;
      };
    },
    close: async () => OpenFeature.close(),
  };
}
