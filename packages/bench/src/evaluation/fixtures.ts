import type { FeatureInput } from '@rollout/core';

/** One test user, in the shape every system is fed from (each adapter maps it once, untimed). */
export interface BenchUser {
  /** String ids, as most services have them (UUID-like keys). */
  id: string;
  plan: 'vip' | 'pro' | 'free';
  country: string;
  /** Data groups; `beta` for one user in twenty. */
  groups: string[];
}

/** Number of distinct users; the percentage scenarios evaluate all of them. */
export const USER_COUNT = 10_000;

/** What a scenario expects for one user: a fixed answer, or "decided by the system's own bucketing". */
export type Expected = boolean | 'bucket';

/** One evaluation scenario: the flag as rollout defines it, the users it is evaluated for, the answers. */
export interface Scenario {
  /** Short key used in tables and JSON. */
  key: string;
  /** What it checks, for the table. */
  title: string;
  /** The flag name every system looks up (the undefined scenario's flag exists nowhere). */
  flag: string;
  /** The users evaluated, in order, per timed call. */
  users: BenchUser[];
  /** The expected answer per user (same order as `users`). */
  expected: Expected[];
  /** The percentage the bucketed users should land in, when some are bucketed. */
  percentage?: number;
}

/** Users `user-0` .. `user-9999`; plan vip for one in ten, group beta for one in twenty. */
export function makeUsers(count = USER_COUNT): BenchUser[] {
  const countries = ['NZ', 'US', 'DE', 'FR', 'JP', 'BR', 'IN'];
  const users: BenchUser[] = [];
  for (let i = 0; i < count; i++) {
    users.push({
      id: `user-${i}`,
      plan: i % 10 === 3 ? 'vip' : i % 3 === 0 ? 'pro' : 'free',
      country: countries[i % countries.length] as string,
      groups: i % 20 === 5 ? ['beta'] : [],
    });
  }
  return users;
}

/** The flags, in rollout's own model, and the lists the other systems are configured from. */
export interface FlagSet {
  /** rollout's features (addFeature input). */
  features: FeatureInput[];
  /** Ids on the 1,000-id allow list (every tenth user). */
  allowIds: string[];
  /** Ids on the deny list of the combined flag (one user in two hundred). */
  denyIds: string[];
  /** The rollout percentage of the percentage and combined flags. */
  percentage: number;
}

export const FLAG_ALL = 'bench_all';
export const FLAG_ALLOW = 'bench_allow_list';
export const FLAG_PERCENT = 'bench_20_percent';
export const FLAG_RULE = 'bench_rule_vip';
export const FLAG_UNDEFINED = 'bench_not_defined';
export const FLAG_COMBINED = 'bench_every_gate';

/** Builds the flag set (allow list: every tenth user; deny list: user 200k+1). */
export function makeFlags(users: BenchUser[]): FlagSet {
  const allowIds = users.filter((_, i) => i % 10 === 0).map((u) => u.id);
  const denyIds = users.filter((_, i) => i % 200 === 1).map((u) => u.id);
  const percentage = 20;
  const vip = { attribute: 'plan', operator: 'eq' as const, values: ['vip'] };
  return {
    allowIds,
    denyIds,
    percentage,
    features: [
      { name: FLAG_ALL, groups: ['ALL'] },
      { name: FLAG_ALLOW, users: allowIds },
      { name: FLAG_PERCENT, percentage },
      { name: FLAG_RULE, rules: [vip] },
      {
        name: FLAG_COMBINED,
        excludedUsers: denyIds,
        users: allowIds,
        groups: ['beta'],
        rules: [vip],
        percentage,
      },
    ],
  };
}

/** The scenarios of the evaluation section, with the answers a correct system gives. */
export function makeScenarios(users: BenchUser[], flags: FlagSet): Scenario[] {
  const allow = new Set(flags.allowIds);
  const deny = new Set(flags.denyIds);
  const first = users.slice(0, 1000);
  const hits = users.filter((u) => allow.has(u.id)).slice(0, 1000);
  const misses = users.filter((u) => !allow.has(u.id)).slice(0, 1000);
  return [
    {
      key: 'all',
      title: 'on for everyone',
      flag: FLAG_ALL,
      users: first,
      expected: first.map(() => true),
    },
    {
      key: 'allow-hit',
      title: '1,000-id allow list, hit',
      flag: FLAG_ALLOW,
      users: hits,
      expected: hits.map(() => true),
    },
    {
      key: 'allow-miss',
      title: '1,000-id allow list, miss',
      flag: FLAG_ALLOW,
      users: misses,
      expected: misses.map(() => false),
    },
    {
      key: 'percent-20',
      title: '20 % rollout, 10,000 ids',
      flag: FLAG_PERCENT,
      users,
      expected: users.map(() => 'bucket'),
      percentage: flags.percentage,
    },
    {
      key: 'rule-vip',
      title: 'attribute rule plan == vip',
      flag: FLAG_RULE,
      users: first,
      expected: first.map((u) => u.plan === 'vip'),
    },
    {
      key: 'undefined',
      title: 'undefined flag',
      flag: FLAG_UNDEFINED,
      users: first,
      expected: first.map(() => false),
    },
    {
      key: 'every-gate',
      title: 'deny+allow+group+rule+20 %',
      flag: FLAG_COMBINED,
      users,
      expected: users.map((u) => {
        if (deny.has(u.id)) return false;
        if (allow.has(u.id) || u.groups.includes('beta') || u.plan === 'vip') return true;
        return 'bucket';
      }),
      percentage: flags.percentage,
    },
  ];
}
