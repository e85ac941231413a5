import { HASH_V1 } from './bucket.js';
import type { BucketHash } from './bucket-hash.js';
import { GEM_HASHES } from './gem-hash.js';

/**
 * The registry of hash versions: every formula file declares its versions
 * (`bucket.ts`: rollout's own version 1; `gem-hash.ts`: the Ruby gem's formulas)
 * and this file collects them. Imports only point into the formula files, so
 * there is no import cycle.
 */

export { HASH_V1 } from './bucket.js';
export type { BucketHash } from './bucket-hash.js';

const registry = new Map<number, BucketHash>();
for (const hash of [HASH_V1, ...GEM_HASHES]) {
  // A stored version number must mean one formula forever.
  if (registry.has(hash.version)) throw new Error(`hash version ${hash.version} declared twice`);
  registry.set(hash.version, hash);
}

/** The bucketing algorithm for a stored hash version, or undefined if this release does not know it. */
export function hashVersion(version: number): BucketHash | undefined {
  return registry.get(version);
}

/** Every hash version this release knows, in version order. */
export function hashVersions(): BucketHash[] {
  return [...registry.values()].sort((a, b) => a.version - b.version);
}
