import type { FeatureInput, Rule } from '@rollout/core';

/** A small deterministic PRNG (mulberry32), so every run loads the same features. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = ['checkout', 'search', 'billing', 'profile', 'feed', 'admin', 'mobile', 'email'];
const GROUPS = ['beta', 'staff', 'vip', 'early_adopter', 'partners', 'qa'];
const COUNTRIES = ['NZ', 'AU', 'US', 'DE', 'FR', 'JP', 'BR', 'IN'];

/**
 * `count` features shaped like a real flag set: a description, a few groups, a user
 * list (usually empty or short, sometimes 500 ids), a deny list now and then, a
 * percentage on a third of them, zero to two attribute rules, and a data payload
 * (owner, ticket, variants). Average JSON size is about 1 KB.
 */
export function realisticFeatures(count: number, seed = 42): FeatureInput[] {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const out: FeatureInput[] = [];
  for (let i = 0; i < count; i++) {
    const area = pick(AREAS);
    const r = rnd();
    const userCount = r < 0.6 ? 0 : r < 0.9 ? Math.floor(rnd() * 20) : r < 0.98 ? 100 : 500;
    const users = Array.from({ length: userCount }, () => `user-${Math.floor(rnd() * 1_000_000)}`);
    const groups =
      rnd() < 0.5 ? [] : Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(GROUPS));
    const rules: Rule[] = [];
    const ruleCount = rnd() < 0.6 ? 0 : rnd() < 0.7 ? 1 : 2;
    for (let k = 0; k < ruleCount; k++) {
      rules.push({
        conditions: [
          { attribute: 'country', operator: 'in', values: [pick(COUNTRIES), pick(COUNTRIES)] },
          ...(rnd() < 0.5
            ? [{ attribute: 'appVersion', operator: 'semverGte' as const, values: ['2.3.0'] }]
            : []),
        ],
      });
    }
    out.push({
      name: `${area}.feature_${i}`,
      description: `${area}: rolls out change #${i} to the ${area} flow; owner team ${area}, see the ticket in data.`,
      groups,
      users,
      ...(rnd() < 0.1 ? { excludedUsers: [`user-${Math.floor(rnd() * 1_000_000)}`] } : {}),
      ...(rnd() < 0.33 ? { percentage: Math.round(rnd() * 100_000) / 1000 } : {}),
      rules,
      data: {
        owner: `team-${area}@example.com`,
        ticket: `${area.toUpperCase()}-${1000 + i}`,
        variants: { control: 50, treatment: 50 },
        expiresAt: '2027-06-30',
      },
    });
  }
  return out;
}
