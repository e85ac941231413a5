/**
 * One bucketing algorithm (a hash version). A feature stores the `version` it was
 * created with, so changing the default never reshuffles who is in an existing
 * rollout. Each formula file declares its versions (`bucket.ts`: version 1,
 * `gem-hash.ts`: the Ruby gem's formulas); `hash-versions.ts` is the registry
 * that evaluation and validation look them up in.
 */
export interface BucketHash {
  /** The number stored in `Feature.hashVersion`. */
  readonly version: number;
  /** Human description, shown by tools. */
  readonly description: string;
  /** Precomputes per-feature state (the salt); called once per compiled feature. */
  prepare(featureName: string): number;
  /**
   * The user's position, as a percentage in [0, 100); for `explain`. -1 when the
   * formula gives this id no position (it is then in no percentage).
   */
  position(state: number, userId: string | number): number;
  /** Whether the user is inside `percentage`. Must be monotonic in `percentage`. Hot path: no allocation. */
  includes(state: number, userId: string | number, percentage: number): boolean;
}
