import { FeatureExistsError, type FeatureInput, type Rollout } from '@rollout/core';

/** The flags a new store starts with; each one gates something in `app.ts`. */
export const SEED_FLAGS: readonly FeatureInput[] = [
  {
    name: 'new_dashboard',
    description: 'GET /beta: the redesigned dashboard, for vip users and user 123',
    groups: ['vip'],
    users: [123],
  },
  {
    name: 'checkout_v2',
    description: 'GET /checkout: the new checkout flow, rolled out to 50 % of users',
    percentage: 50,
    data: { variant: 'v2' },
  },
  {
    name: 'nz_banner',
    description: 'GET /: a banner for users in New Zealand',
    rules: [{ attribute: 'country', operator: 'in', values: ['NZ'] }],
  },
  {
    name: 'dark_mode',
    description: 'On for everyone (group ALL); add group NONE to switch it off for all',
    groups: ['ALL'],
  },
];

/**
 * Adds the seed flags when the store is empty (a fresh file or a memory store), so
 * the app has something to show. A store that already has flags is left alone,
 * and a flag another process created meanwhile is not an error.
 * Resolves to the number of flags created.
 */
export async function seedIfEmpty(rollout: Rollout): Promise<number> {
  if ((await rollout.features()).length > 0) return 0;
  let created = 0;
  for (const flag of SEED_FLAGS) {
    try {
      await rollout.addFeature(flag);
      created++;
    } catch (error) {
      if (!(error instanceof FeatureExistsError)) throw error;
    }
  }
  return created;
}
