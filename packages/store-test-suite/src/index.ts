/**
 * @rollout/store-test-suite: the conformance suite every rollout store runs.
 * Give it your runner's functions and how to open your store; see runStoreConformance,
 * or run one group at a time with the `run<Group>Tests` functions.
 */
export { runStoreConformance } from './conformance.js';
export {
  CONTENDED,
  type ContentionReport,
  contentionExpected,
  runContentionWriter,
} from './contention-plan.js';
export type { ContentionJob } from './contention-worker.js';
export { HOSTILE_NAMES, makeFeature, richFeature } from './fixtures.js';
export { runApplyTests } from './groups/apply.js';
export { runBasicTests } from './groups/basic.js';
export { runConcurrencyTests } from './groups/concurrency.js';
export { runConflictTests } from './groups/conflicts.js';
export {
  CONTENTION_WRITERS,
  CONTENTION_WRITES,
  contentionGroup,
  runContentionProcesses,
  runContentionTests,
} from './groups/contention.js';
export { runHistoryTests } from './groups/history.js';
export { runHostileInputTests } from './groups/hostile-input.js';
export { runLifecycleTests } from './groups/lifecycle.js';
export { runMultiProcessTests } from './groups/multi-process.js';
export { runNotificationTests } from './groups/notification.js';
export { runSnapshotTests } from './groups/snapshot.js';
export { runVariantTests, variantFeature } from './groups/variants.js';
export { nextEvent } from './next-event.js';
export { loadStoreClass, type StoreConstructor } from './open-store.js';
export type { ConformanceOptions, TestRunner } from './runner.js';
export { nextEmitted, uniqueName, waitFor } from './waiting.js';
