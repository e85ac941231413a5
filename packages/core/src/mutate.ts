import { FeatureNotFoundError, isRolloutError, VersionConflictError } from './errors.js';
import type { Feature } from './model.js';
import { sameContent } from './same-content.js';
import type { FeatureStore, WriteContext } from './store.js';
import { jitteredBackoff, sleep } from './store-kit/sleep.js';
import { featureFromInput } from './validation.js';

export { sameContent };

/** Options for {@link mutateFeature}. */
export interface MutateOptions {
  /** Create the feature (empty, off) when it does not exist, as the rollout gem does. Default false. */
  create?: boolean;
  /** Compare-and-set attempts before giving up with the last VersionConflictError. Default 100. */
  maxAttempts?: number;
  /**
   * Write even when `change` leaves the content as it was, so the version moves and a
   * history entry is kept (a replace by `addFeature` is always a write). Default false:
   * an unchanged feature is returned as stored, and nothing is written.
   */
  writeUnchanged?: boolean;
  /**
   * Who writes and why, passed to the store with the write (recorded in its history).
   * Without an `action`, the write records `add` when it creates the feature and `update` otherwise.
   */
  context?: WriteContext;
  /** Clock, for tests. */
  now?: () => Date;
}

/** The outcome of a mutation. */
export interface MutateResult {
  /** The feature as stored after the mutation. */
  feature: Feature;
  /** False when the mutation left the feature as it was (nothing was written). */
  changed: boolean;
}

/**
 * Read-modify-write of one feature with compare-and-set: reads the stored record,
 * applies `change` to a copy, and writes it only if nobody wrote in between;
 * otherwise retries with jittered backoff. Concurrent writers in any number of
 * processes therefore lose nothing. `change` must be pure: it may run several times.
 * It also receives the stored record (undefined when the feature is being created), and
 * may throw to refuse the write, as `addFeature` does when the feature exists.
 */
export async function mutateFeature(
  store: FeatureStore,
  name: string,
  change: (feature: Feature, stored: Feature | undefined) => Feature,
  options: MutateOptions = {},
): Promise<MutateResult> {
  const maxAttempts = options.maxAttempts ?? 100;
  const now = options.now ?? (() => new Date());
  let lastConflict: VersionConflictError | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await store.get(name);
    // A feature created here is created and updated at the same instant.
    let createdAt: string | undefined;
    let base: Feature;
    if (current) {
      base = current;
    } else if (options.create) {
      createdAt = now().toISOString();
      base = featureFromInput({ name }, createdAt);
    } else {
      throw new FeatureNotFoundError(name);
    }
    const next = change(structuredClone(base), current);
    if (current && !options.writeUnchanged && sameContent(current, next))
      return { feature: current, changed: false };
    next.name = name;
    next.createdAt = base.createdAt;
    next.updatedAt = createdAt ?? now().toISOString();
    try {
      const stored = await store.put(next, current ? current.version : 0, {
        ...options.context,
        action: options.context?.action ?? (current ? 'update' : 'add'),
      });
      return { feature: stored, changed: true };
    } catch (error) {
      if (!isRolloutError(error, 'VERSION_CONFLICT')) throw error;
      lastConflict = error as VersionConflictError;
      // Full jitter, growing to 100 ms: contending writers spread out instead of colliding again.
      await sleep(jitteredBackoff(attempt));
    }
  }
  throw (
    lastConflict ??
    new VersionConflictError(
      name,
      `[rollout] gave up writing ${JSON.stringify(name)} after ${maxAttempts} attempts`,
    )
  );
}
