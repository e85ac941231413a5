import { isRolloutError } from '@rollout/core';
import { sleep } from '@rollout/core/store';

/** Longest pause (ms) before a conflict is reported: retries stay bounded in time. */
const MAX_PAUSE_MS = 500;
/** Weight of the newest attempt in the running averages. */
const WEIGHT = 0.1;
/** Lowest success share assumed (about 100 writers on one feature). */
const MIN_SHARE = 0.01;

/**
 * Paces compare-and-set retries by the contention this store observes. memcached has
 * no server-side edit, so a mutation is a read-modify-write that fails when another
 * writer of the feature committed first, and the caller (core's `mutateFeature`)
 * retries. A fixed backoff makes `k` writers collide again and again once `k` times a
 * write's duration exceeds it, so some callers run out of attempts. This spreads
 * retries over a window sized from what was observed: the running share `s` of this
 * store's write attempts that succeed estimates the contenders (about `1/s`), and a
 * write takes about `w` ms, so a conflicting write pauses a random time in
 * `[0, 2·w/s]` (at most {@link MAX_PAUSE_MS}) before reporting the conflict. Then
 * about one contender tries per write duration, most attempts succeed, and the number
 * of attempts a call needs stays small, whatever the number of writers.
 */
export class ConflictPacing {
  /** Running average of a committed write's duration, ms. */
  private writeMs = 2;
  /** Running share of write attempts that committed. */
  private share = 1;

  /**
   * Runs one write attempt; on a VersionConflictError, pauses as described above and
   * rethrows it. Other errors pass through at once.
   */
  async run<T>(attempt: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await attempt();
      this.writeMs += WEIGHT * (performance.now() - started - this.writeMs);
      this.share += WEIGHT * (1 - this.share);
      return result;
    } catch (error) {
      if (isRolloutError(error, 'VERSION_CONFLICT')) {
        this.share = Math.max(MIN_SHARE, this.share * (1 - WEIGHT));
        await sleep(Math.random() * this.window());
      }
      throw error;
    }
  }

  /** The current retry window, ms. */
  window(): number {
    return Math.min(MAX_PAUSE_MS, (2 * this.writeMs) / this.share);
  }
}
