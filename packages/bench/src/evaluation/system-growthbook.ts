import type { FeatureDefinition, UserContext } from '@growthbook/growthbook';
import { GrowthBookClient } from '@growthbook/growthbook';
import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import { FLAG_ALL, FLAG_ALLOW, FLAG_COMBINED, FLAG_PERCENT, FLAG_RULE } from './fixtures.js';
import { contextCache, type EvalSystem } from './system.js';

/** The flag set as GrowthBook features: force rules with conditions, a coverage rule for percentages. */
export function growthbookFeatures(flags: FlagSet): Record<string, FeatureDefinition> {
  const rollout = { force: true, coverage: flags.percentage / 100, hashAttribute: 'id' };
  return {
    [FLAG_ALL]: { defaultValue: true },
    [FLAG_ALLOW]: {
      defaultValue: false,
      rules: [{ condition: { id: { $in: flags.allowIds } }, force: true }],
    },
    [FLAG_PERCENT]: { defaultValue: false, rules: [rollout] },
    [FLAG_RULE]: { defaultValue: false, rules: [{ condition: { plan: 'vip' }, force: true }] },
    [FLAG_COMBINED]: {
      defaultValue: false,
      rules: [
        { condition: { id: { $in: flags.denyIds } }, force: false },
        { condition: { id: { $in: flags.allowIds } }, force: true },
        { condition: { groups: { $in: ['beta'] } }, force: true },
        { condition: { plan: 'vip' }, force: true },
        rollout,
      ],
    },
  };
}

/**
 * @growthbook/growthbook's multi-user server client (GrowthBookClient, the SDK's
 * recommendation for back ends) with features given locally through initSync: no API host.
 */
export async function createGrowthbookSystem(flags: FlagSet): Promise<EvalSystem> {
  const gb = new GrowthBookClient();
  gb.initSync({ payload: { features: growthbookFeatures(flags) } });
  const contexts = contextCache<UserContext>((u: BenchUser) => ({
    attributes: { id: u.id, plan: u.plan, country: u.country, groups: u.groups },
  }));
  return {
    name: '@growthbook/growthbook',
    role: 'peer',
    async: false,
    setup: 'new GrowthBookClient().initSync({ payload: { features } }); isOn(name, { attributes })',
    async answers(s: Scenario) {
      return contexts(s.users).map((c) => gb.isOn(s.flag, c));
    },
    body(s: Scenario) {
      const ctx = contexts(s.users);
      const name = s.flag;
      return () => {
        let on = 0;
        for (let i = 0; i < ctx.length; i++) if (gb.isOn(name, ctx[i] as UserContext)) on++;
        return on;
      };
    },
    close: async () => gb.destroy(),
  };
}
