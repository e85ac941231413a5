import { init, type LDContext } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import { FLAG_ALL, FLAG_ALLOW, FLAG_COMBINED, FLAG_PERCENT, FLAG_RULE } from './fixtures.js';
import { contextCache, type EvalSystem } from './system.js';

const ON = 0;
const OFF = 1;

/** The flag set as LaunchDarkly flag JSON (server-side data model): targets, rules, a rollout fallthrough. */
export function launchdarklyFlags(flags: FlagSet) {
  const flag = (key: string, extra: Record<string, unknown>) => ({
    key,
    version: 1,
    on: true,
    variations: [true, false],
    offVariation: OFF,
    fallthrough: { variation: OFF },
    targets: [],
    contextTargets: [],
    rules: [],
    prerequisites: [],
    salt: `${key}-salt`,
    trackEvents: false,
    trackEventsFallthrough: false,
    deleted: false,
    ...extra,
  });
  const weightOn = flags.percentage * 1000; // LaunchDarkly weights are out of 100,000
  const rollout = {
    rollout: {
      variations: [
        { variation: ON, weight: weightOn },
        { variation: OFF, weight: 100_000 - weightOn },
      ],
    },
  };
  const clause = (attribute: string, values: string[]) => ({
    contextKind: 'user',
    attribute,
    op: 'in',
    values,
    negate: false,
  });
  return [
    flag(FLAG_ALL, { fallthrough: { variation: ON } }),
    flag(FLAG_ALLOW, { targets: [{ values: flags.allowIds, variation: ON }] }),
    flag(FLAG_PERCENT, { fallthrough: rollout }),
    flag(FLAG_RULE, { rules: [{ id: 'vip', clauses: [clause('plan', ['vip'])], variation: ON }] }),
    flag(FLAG_COMBINED, {
      targets: [
        { values: flags.allowIds, variation: ON },
        { values: flags.denyIds, variation: OFF },
      ],
      rules: [
        { id: 'beta', clauses: [clause('groups', ['beta'])], variation: ON },
        { id: 'vip', clauses: [clause('plan', ['vip'])], variation: ON },
      ],
      fallthrough: rollout,
    }),
  ];
}

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A LaunchDarkly client fed `flags` (server-side flag JSON) by its TestData source (no
 * network, no events), and the bench users as its contexts (mapped once, untimed).
 */
export async function startLaunchdarkly(flags: readonly Record<string, unknown>[]) {
  const td = new TestData();
  for (const f of flags) await td.usePreconfiguredFlag(f);
  const client = init('sdk-bench-key', {
    updateProcessor: td.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: silent,
  });
  await client.waitForInitialization({ timeout: 10 });
  const contexts = contextCache<LDContext>((u: BenchUser) => ({
    kind: 'user',
    key: u.id,
    plan: u.plan,
    country: u.country,
    groups: u.groups,
  }));
  return { client, contexts };
}

/**
 * @launchdarkly/node-server-sdk fed by its TestData source (no network, no events).
 * `variation` only exists as an async API, so the timed loop awaits each call, as an app must.
 */
export async function createLaunchdarklySystem(flags: FlagSet): Promise<EvalSystem> {
  const { client, contexts } = await startLaunchdarkly(launchdarklyFlags(flags));
  return {
    name: '@launchdarkly/node-server-sdk',
    role: 'peer',
    async: true,
    setup:
      "init(key, { updateProcessor: new TestData().getFactory(), sendEvents: false }); await variation(name, { kind: 'user', key, ... }, false)",
    async answers(s: Scenario) {
      const out: boolean[] = [];
      for (const c of contexts(s.users))
        out.push((await client.variation(s.flag, c, false)) === true);
      return out;
    },
    body(s: Scenario) {
      const ctx = contexts(s.users);
      const name = s.flag;
      return async () => {
        let on = 0;
        for (let i = 0; i < ctx.length; i++)
          if ((await client.variation(name, ctx[i] as LDContext, false)) === true) on++;
        return on;
      };
    },
    close: async () => client.close(),
  };
}
