import { applyGroup } from './groups/apply.js';
import { basicGroup } from './groups/basic.js';
import { concurrencyGroup } from './groups/concurrency.js';
import { conflictsGroup } from './groups/conflicts.js';
import { contentionGroup } from './groups/contention.js';
import { historyGroup } from './groups/history.js';
import { hostileInputGroup } from './groups/hostile-input.js';
import { lifecycleGroup } from './groups/lifecycle.js';
import { multiProcessGroup } from './groups/multi-process.js';
import { notificationGroup } from './groups/notification.js';
import { snapshotGroup } from './groups/snapshot.js';
import { variantsGroup } from './groups/variants.js';
import type { ConformanceOptions, TestRunner } from './runner.js';
import { type ConformanceGroup, runGroups } from './suite-context.js';

/** Every group, in the order runStoreConformance registers them. */
export const ALL_GROUPS: readonly ConformanceGroup[] = [
  basicGroup,
  snapshotGroup,
  conflictsGroup,
  notificationGroup,
  hostileInputGroup,
  variantsGroup,
  applyGroup,
  concurrencyGroup,
  multiProcessGroup,
  contentionGroup,
  historyGroup,
  lifecycleGroup,
];

/**
 * Registers the conformance suite for one store implementation. Every store
 * package runs it; third-party store authors can run it too:
 *
 * ```ts
 * import { describe, it, afterAll } from 'vitest';
 * import { runStoreConformance } from '@rollout/store-test-suite';
 * runStoreConformance({ describe, it, afterAll }, {
 *   name: 'mystore',
 *   module: new URL('../dist/index.js', import.meta.url).href,
 *   exportName: 'MyStore',
 *   options: () => ({ url: process.env.MY_URL, prefix: crypto.randomUUID() }),
 * });
 * ```
 *
 * Groups: basic reads and writes, snapshot, version conflicts, change
 * notification, bad input, variants (every variant field round-trips), operations
 * applied by the store (when it declares `apply`: the record core's `applyOperations`
 * gives), concurrency in one process, several OS processes writing at once (when the
 * store declares `multiProcess`), contention (8 writers × 60 mixed mutations on one
 * feature, OS processes for `multiProcess` stores: none rejected, none lost, one version
 * and one history entry per write), change history (when it
 * declares `history`: one entry per write, also between processes; pages; retention
 * through the store's `historyLimit` option; restore), and lifecycle (every
 * member rejects after `close()`; `storeFromUrl` refuses other schemes). While a
 * store is being written, run one group instead: `runBasicTests(runner, config)`,
 * `runLifecycleTests(runner, config)`, `runHistoryTests(runner, config)`, `runVariantTests(runner, config)` and so on, with the same arguments.
 */
export function runStoreConformance(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, ALL_GROUPS);
}
