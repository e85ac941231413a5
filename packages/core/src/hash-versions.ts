import { bucketFromSalt, percentageThreshold, saltState } from './bucket.js';
import { HASH_GEM, HASH_GEM_MODULO, HASH_GEM_RANDOMIZED } from './gem-hash.js';

/**
 * One bucketing algorithm. A feature stores the `version` it was created with,
 * so changing the default never reshuffles who is in an existing rollout.
 */
export interface BucketHash {
  /** The number stored in `Feature.hashVersion`. */
  readonly version: number;
  /** Human description, shown by tools. */
  readonly description: string;
  /** Precomputes per-feature state (the salt); called once per compiled feature. */
  prepare(featureName: string): number;
  /** The user's position, as a percentage in [0, 100); for `explain`. */
  position(state: number, userId: string | number): number;
  /** Whether the user is inside `percentage`. Must be monotonic in `percentage`. Hot path: no allocation. */
  includes(state: number, userId: string | number, percentage: number): boolean;
}

/** Hash version 1: FNV-1a + fmix32, salted by the feature name, 0.001 % buckets (see `bucketOf`). */
export const HASH_V1: BucketHash = {
  version: 1,
  description: 'rollout v1: FNV-1a/fmix32 of "<feature>\\0<id>", 100000 buckets',
  prepare: saltState,
  position: (state, id) => bucketFromSalt(state, id) / 1000,
  includes: (state, id, percentage) => bucketFromSalt(state, id) < percentageThreshold(percentage),
};

// Versions 2 to 4 reproduce the Ruby rollout gem (see gem-hash.ts) for features imported from it.
const known: readonly BucketHash[] = [HASH_V1, HASH_GEM, HASH_GEM_RANDOMIZED, HASH_GEM_MODULO];
const registry = new Map<number, BucketHash>(known.map((h) => [h.version, h] as const));

/** The bucketing algorithm for a stored hash version, or undefined if this release does not know it. */
export function hashVersion(version: number): BucketHash | undefined {
  return registry.get(version);
}

/** Every hash version this release knows. */
export function hashVersions(): BucketHash[] {
  return [...registry.values()];
}
