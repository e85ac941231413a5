import type { FeatureDefinition, UserContext } from '@growthbook/growthbook';
import { GrowthBookClient } from '@growthbook/growthbook';
import type { LDContext } from '@launchdarkly/node-server-sdk';
import { Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import type { BenchUser } from './fixtures.js';
import { contextCache, type SystemRole } from './system.js';
import { fnv1a, plainBucket } from './system-baseline.js';
import { engineBucket } from './system-engine.js';
import { startLaunchdarkly } from './system-launchdarkly.js';

/** The variant-3way flag: on for everyone, three string values split 50/30/20. */
export const FLAG_VARIANT = 'bench_variant_3way';
export const VARIANTS = [
  { name: 'red', value: '#f00', weight: 50 },
  { name: 'green', value: '#0f0', weight: 30 },
  { name: 'blue', value: '#00f', weight: 20 },
] as const;
const VALUES = VARIANTS.map((v) => v.value);
const FALLBACK = 'none';

/** One system answering the variant-3way scenario: the value each user gets. */
export interface VariantSystem {
  readonly name: string;
  readonly role: SystemRole;
  readonly async: boolean;
  readonly setup: string;
  /** The value per user, in order (untimed, for the split check). */
  answers(users: BenchUser[]): Promise<string[]>;
  /** One call evaluates the flag for every user and returns how many got the first value. */
  body(users: BenchUser[]): () => unknown;
  close(): Promise<void>;
}

/** rollout: `variant(user, name)` (the precomputed result) or `value(user, name, fallback)`. */
export async function createRolloutVariantSystems(): Promise<VariantSystem[]> {
  const rollout = new Rollout<BenchUser>({ store: new MemoryStore() });
  await rollout.ready();
  await rollout.addFeature({ name: FLAG_VARIANT, groups: ['ALL'], variants: [...VARIANTS] });
  const first = VALUES[0];
  const variant: VariantSystem = {
    name: 'rollout variant()',
    role: 'ours',
    async: false,
    setup: "addFeature({ name, groups: ['ALL'], variants }); rollout.variant(user, name).value",
    async answers(users) {
      return users.map((u) => rollout.variant(u, FLAG_VARIANT).value as string);
    },
    body(users) {
      return () => {
        let n = 0;
        for (let i = 0; i < users.length; i++)
          if (rollout.variant(users[i] as BenchUser, FLAG_VARIANT).value === first) n++;
        return n;
      };
    },
    close: async () => {},
  };
  const value: VariantSystem = {
    name: 'rollout value()',
    role: 'ours',
    async: false,
    setup: "rollout.value(user, name, 'none') (typed by the fallback)",
    async answers(users) {
      return users.map((u) => rollout.value(u, FLAG_VARIANT, FALLBACK));
    },
    body(users) {
      return () => {
        let n = 0;
        for (let i = 0; i < users.length; i++)
          if (rollout.value(users[i] as BenchUser, FLAG_VARIANT, FALLBACK) === first) n++;
        return n;
      };
    },
    close: () => rollout.close(),
  };
  return [variant, value];
}

/**
 * The plain-JS baseline: a Map lookup, one 32-bit hash of (salt, id), and a scan of
 * three cumulative bounds.
 */
export async function createBaselineVariantSystem(): Promise<VariantSystem> {
  const map = new Map([
    [
      FLAG_VARIANT,
      { salt: fnv1a(0x811c9dc5, `${FLAG_VARIANT}\0variant\0`), bounds: [50_000, 80_000, 100_000] },
    ],
  ]);
  const pick = (u: BenchUser): string => {
    const f = map.get(FLAG_VARIANT);
    if (f === undefined) return FALLBACK;
    const b = plainBucket(f.salt, u.id);
    for (let i = 0; i < f.bounds.length; i++)
      if (b < (f.bounds[i] as number)) return VALUES[i] as string;
    return FALLBACK;
  };
  const first = VALUES[0];
  return {
    name: 'plain JS baseline',
    role: 'baseline',
    async: false,
    setup: 'Map<name, flag> lookup, FNV-1a of the id, scan of cumulative bounds (hand-written)',
    answers: async (users) => users.map(pick),
    body(users) {
      return () => {
        let n = 0;
        for (let i = 0; i < users.length; i++) if (pick(users[i] as BenchUser) === first) n++;
        return n;
      };
    },
    close: async () => {},
  };
}

/** The gate kinds the minimal engine knows for a flag with variants (the scenario's flag is ALL). */
enum VariantKind {
  OFF = 0,
  ALL = 1,
}

/** A flag with variants as a minimal generic engine holds it, loaded as data. */
interface EngineVariantFlag {
  kind: VariantKind;
  /** Hash state after "<flag>\0variant\0", as rollout's variant bucket. */
  salt: number;
  /** Upper bound of each variant's bucket range, out of 100,000. */
  bounds: number[];
  values: string[];
}

/**
 * The generic-engine baseline of issue 19 for variants: a `Map` lookup by name, a switch
 * on the gate kind, rollout's own variant bucket (hash version 1 over the variant salt)
 * and a scan of the cumulative bounds; none of rollout's guarantees. Target: `variant()`
 * at most 1.5× it.
 */
export async function createEngineVariantSystem(): Promise<VariantSystem> {
  let sum = 0;
  const bounds = VARIANTS.map((v) => (sum += v.weight * 1000));
  const map = new Map<string, EngineVariantFlag>([
    [
      FLAG_VARIANT,
      {
        kind: VariantKind.ALL,
        salt: fnv1a(0x811c9dc5, `${FLAG_VARIANT}\0variant\0`),
        bounds,
        values: [...VALUES],
      },
    ],
  ]);
  const pick = (u: BenchUser): string => {
    const f = map.get(FLAG_VARIANT);
    if (f === undefined) return FALLBACK;
    switch (f.kind) {
      case VariantKind.OFF:
        return FALLBACK;
      case VariantKind.ALL: {
        const b = engineBucket(f.salt, u.id);
        for (let i = 0; i < f.bounds.length; i++)
          if (b < (f.bounds[i] as number)) return f.values[i] as string;
        return FALLBACK;
      }
    }
  };
  const first = VALUES[0];
  return {
    name: 'generic engine baseline',
    role: 'engine',
    async: false,
    setup:
      "Map<name, flag> lookup, a switch on the gate kind, rollout's variant bucket (FNV-1a + fmix32 over the variant salt), scan of cumulative bounds (hand-written)",
    answers: async (users) => users.map(pick),
    body(users) {
      return () => {
        let n = 0;
        for (let i = 0; i < users.length; i++) if (pick(users[i] as BenchUser) === first) n++;
        return n;
      };
    },
    close: async () => {},
  };
}

/** GrowthBook's multivariate form: an experiment rule with three variations and weights. */
export async function createGrowthbookVariantSystem(): Promise<VariantSystem> {
  const features: Record<string, FeatureDefinition> = {
    [FLAG_VARIANT]: {
      defaultValue: FALLBACK,
      rules: [
        {
          key: FLAG_VARIANT,
          variations: [...VALUES],
          weights: VARIANTS.map((v) => v.weight / 100),
          coverage: 1,
          hashAttribute: 'id',
        },
      ],
    },
  };
  const gb = new GrowthBookClient();
  gb.initSync({ payload: { features } });
  const contexts = contextCache<UserContext>((u: BenchUser) => ({
    attributes: { id: u.id, plan: u.plan, country: u.country, groups: u.groups },
  }));
  const first = VALUES[0];
  return {
    name: '@growthbook/growthbook',
    role: 'peer',
    async: false,
    setup:
      'experiment rule { variations, weights, hashAttribute: id }; getFeatureValue(name, fallback, { attributes })',
    async answers(users) {
      return contexts(users).map((c) => gb.getFeatureValue(FLAG_VARIANT, FALLBACK, c));
    },
    body(users) {
      const ctx = contexts(users);
      return () => {
        let n = 0;
        for (let i = 0; i < ctx.length; i++)
          if (gb.getFeatureValue(FLAG_VARIANT, FALLBACK, ctx[i] as UserContext) === first) n++;
        return n;
      };
    },
    close: async () => gb.destroy(),
  };
}

/** LaunchDarkly's multivariate flag: three string variations, a percentage rollout fallthrough. */
export async function createLaunchdarklyVariantSystem(): Promise<VariantSystem> {
  const { client, contexts } = await startLaunchdarkly([
    {
      key: FLAG_VARIANT,
      version: 1,
      on: true,
      variations: [...VALUES],
      offVariation: 0,
      // LaunchDarkly weights are out of 100,000.
      fallthrough: {
        rollout: {
          variations: VARIANTS.map((v, i) => ({ variation: i, weight: v.weight * 1000 })),
        },
      },
      targets: [],
      contextTargets: [],
      rules: [],
      prerequisites: [],
      salt: `${FLAG_VARIANT}-salt`,
      trackEvents: false,
      trackEventsFallthrough: false,
      deleted: false,
    },
  ]);
  const first = VALUES[0];
  return {
    name: '@launchdarkly/node-server-sdk',
    role: 'peer',
    async: true,
    setup:
      'three string variations, fallthrough rollout 50/30/20; await variation(name, context, fallback)',
    async answers(users) {
      const out: string[] = [];
      for (const c of contexts(users))
        out.push((await client.variation(FLAG_VARIANT, c, FALLBACK)) as string);
      return out;
    },
    body(users) {
      const ctx = contexts(users);
      return async () => {
        let n = 0;
        for (let i = 0; i < ctx.length; i++)
          if ((await client.variation(FLAG_VARIANT, ctx[i] as LDContext, FALLBACK)) === first) n++;
        return n;
      };
    },
    close: async () => client.close(),
  };
}

/** Every system of the variant-3way scenario. */
export async function createVariantSystems(): Promise<VariantSystem[]> {
  return [
    await createBaselineVariantSystem(),
    await createEngineVariantSystem(),
    ...(await createRolloutVariantSystems()),
    await createGrowthbookVariantSystem(),
    await createLaunchdarklyVariantSystem(),
  ];
}

/**
 * Checks a split: every user got one of the three values, each value's share within
 * 1.5 points of its weight.
 */
export function checkSplit(answers: readonly string[]): { correct: boolean; check: string } {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  const shares = VARIANTS.map((v) => (100 * (counts.get(v.value) ?? 0)) / answers.length);
  const stray = answers.length - VARIANTS.reduce((n, v) => n + (counts.get(v.value) ?? 0), 0);
  const correct =
    stray === 0 && shares.every((s, i) => Math.abs(s - (VARIANTS[i]?.weight ?? 0)) <= 1.5);
  const text = shares.map((s, i) => `${VARIANTS[i]?.name} ${s.toFixed(1)} %`).join(' / ');
  return { correct, check: `${text}${stray > 0 ? `; ${stray} other answers` : ''}` };
}
