/**
 * @rollout/core/store: the kit for store authors. What every store needs and no
 * store should retype: expected-version checks and conflict errors, a listener set
 * for `subscribe`, the closed-state guard, deep copies, sleeps and backoff, option
 * and URL checks, and the reference in-memory implementation of the contract.
 *
 * ```ts
 * import { ClosedGuard, ListenerSet, checkExpectedVersion, versionConflict } from '@rollout/core/store';
 * ```
 */
export {
  type AppliedOperations,
  type ApplyOptions,
  type ApplyResult,
  applyOperations,
  checkOperations,
  type FeatureOperation,
} from '../operations.js';
// The contract's types, so a store imports everything it needs from one place.
export type * from '../store.js';
export { checkHistoryQuery, checkWriteContext } from '../validation/history.js';
export { checkApplyArguments } from './apply-arguments.js';
export { ClosedGuard } from './closed-guard.js';
export { copyFeature } from './copy.js';
export {
  DELTA_LISTS,
  type DeltaList,
  type HistoryDelta,
  type ListDelta,
  listDelta,
  reconstructHistory,
  type StoredHistoryEntry,
  undoListDelta,
  withLists,
  withoutLists,
} from './history-delta.js';
export {
  appendToLog,
  copyEntry,
  DEFAULT_HISTORY_LIMIT,
  historyEntry,
  queryLog,
  type WriteRecord,
  writeAction,
} from './history-log.js';
export { ListenerSet } from './listener-set.js';
export { MemoryFeatureStore, type MemoryFeatureStoreOptions } from './memory-feature-store.js';
export { positiveInteger, positiveNumber } from './options.js';
export { checkFeatureRecord } from './records.js';
export { jitteredBackoff, sleep } from './sleep.js';
export { expectScheme, urlBoolean, urlNumber } from './store-url.js';
export { checkExpectedVersion, versionConflict } from './versions.js';
