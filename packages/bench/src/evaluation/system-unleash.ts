import type { Context } from 'unleash-client';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import { FLAG_ALL, FLAG_ALLOW, FLAG_COMBINED, FLAG_PERCENT, FLAG_RULE } from './fixtures.js';
import { contextCache, type EvalSystem } from './system.js';

type Constraint = { contextName: string; operator: 'IN' | 'NOT_IN'; values: string[] };
type StrategyDef = { name: string; parameters: Record<string, string>; constraints: Constraint[] };

/** The flag set as Unleash toggles: strategies with constraints, flexibleRollout for percentages. */
export function unleashToggles(flags: FlagSet) {
  const toggle = (name: string, strategies: StrategyDef[]) => ({
    name,
    enabled: true,
    type: 'release',
    project: 'default',
    impressionData: false,
    variants: [],
    strategies,
  });
  const rollout = (name: string, constraints: Constraint[] = []): StrategyDef => ({
    name: 'flexibleRollout',
    parameters: { rollout: String(flags.percentage), stickiness: 'userId', groupId: name },
    constraints,
  });
  const allow: Constraint = { contextName: 'userId', operator: 'IN', values: flags.allowIds };
  const notDenied: Constraint = {
    contextName: 'userId',
    operator: 'NOT_IN',
    values: flags.denyIds,
  };
  const vip: Constraint = { contextName: 'plan', operator: 'IN', values: ['vip'] };
  const beta: Constraint = { contextName: 'group', operator: 'IN', values: ['beta'] };
  return [
    toggle(FLAG_ALL, [{ name: 'default', parameters: {}, constraints: [] }]),
    // Constraints are Unleash's current way to target user ids (the userWithId strategy is legacy).
    toggle(FLAG_ALLOW, [{ name: 'default', parameters: {}, constraints: [allow] }]),
    toggle(FLAG_PERCENT, [rollout(FLAG_PERCENT)]),
    toggle(FLAG_RULE, [{ name: 'default', parameters: {}, constraints: [vip] }]),
    // Unleash has no deny list: every strategy carries "userId NOT_IN deny".
    toggle(FLAG_COMBINED, [
      { name: 'default', parameters: {}, constraints: [notDenied, allow] },
      { name: 'default', parameters: {}, constraints: [notDenied, beta] },
      { name: 'default', parameters: {}, constraints: [notDenied, vip] },
      rollout(FLAG_COMBINED, [notDenied]),
    ]),
  ];
}

/**
 * unleash-client evaluating bootstrapped toggles locally. No server: refreshInterval 0
 * turns fetching off, metrics are disabled, the URL is never contacted.
 */
export async function createUnleashSystem(flags: FlagSet): Promise<EvalSystem> {
  const unleash = new Unleash({
    appName: 'rollout-bench',
    url: 'http://127.0.0.1:9/api/',
    refreshInterval: 0,
    metricsInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: unleashToggles(flags) as never },
    skipInstanceCountWarning: true,
  });
  unleash.on('error', () => {});
  unleash.on('warn', () => {});
  await new Promise<void>((resolve) => {
    if (unleash.isSynchronized()) resolve();
    unleash.once('ready', () => resolve());
  });
  const contexts = contextCache<Context>((u: BenchUser) => ({
    userId: u.id,
    properties: u.groups.includes('beta') ? { plan: u.plan, group: 'beta' } : { plan: u.plan },
  }));
  return {
    name: 'unleash-client',
    role: 'peer',
    async: false,
    setup:
      'new Unleash({ bootstrap: { data }, refreshInterval: 0, disableMetrics: true, storageProvider: InMemStorageProvider }); isEnabled(name, { userId, properties })',
    async answers(s: Scenario) {
      const ctx = contexts(s.users);
      return ctx.map((c) => unleash.isEnabled(s.flag, c));
    },
    body(s: Scenario) {
      const ctx = contexts(s.users);
      const name = s.flag;
      return () => {
        let on = 0;
        for (let i = 0; i < ctx.length; i++) if (unleash.isEnabled(name, ctx[i])) on++;
        return on;
      };
    },
    close: async () => unleash.destroy(),
  };
}
