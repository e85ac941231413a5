import type { User } from '../model.js';
import type { FeatureStore } from '../store.js';
import type { WriteOptions } from '../validation/history.js';

/** Options of {@link Rollout}. */
export interface RolloutOptions<U = User> {
  /** Where features live. */
  store: FeatureStore;
  /** Maps your user shape to `{ id, groups, ...attributes }`. Default: the user is used as is. */
  mapUser?: (user: U) => User;
  /** How often to poll the store's revision, in ms. Default: the store's `capabilities.pollIntervalMs`. */
  pollInterval?: number;
  /** Longest wait between reconnection attempts while the store is unavailable, in ms. Default 5000. */
  maxBackoff?: number;
  /** Compare-and-set attempts per mutation. Default 100. */
  writeAttempts?: number;
  /**
   * Who writes, when a mutation's options name nobody (a service name, `ana@laptop`):
   * recorded in the store's history. 1 to 200 printable characters. Default: nobody.
   */
  actor?: string;
  /** Close the store when the client closes. Default true. */
  closeStore?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Options of `Rollout.updateFeature`: who and why, and the version the change was made from. */
export interface UpdateOptions extends WriteOptions {
  /** Write only if the stored feature is at this version; VersionConflictError otherwise. */
  expectedVersion?: number;
}
