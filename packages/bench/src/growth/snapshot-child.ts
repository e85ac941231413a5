/**
 * Child process of the snapshot-load section: opens one store, loads a Rollout
 * snapshot from it, and reports the load time and the memory the snapshot holds.
 * Runs in a fresh process so the numbers are not mixed with the parent's heap.
 */
import { featureFromInput, Rollout } from '@rollout/core';
import { loadStoreClass } from '@rollout/store-test-suite';
import { realisticFeatures } from '../stores/realistic-features.js';

interface Job {
  module: string;
  exportName: string;
  options: Record<string, unknown>;
  /** Memory store only: build this many realistic features in the child first. */
  seed?: number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

process.once('message', async (job: Job) => {
  try {
    const Store = await loadStoreClass(job.module, job.exportName);
    let options = job.options;
    if (job.seed !== undefined) {
      const now = new Date().toISOString();
      options = {
        ...options,
        features: realisticFeatures(job.seed).map((f) => featureFromInput(f, now)),
      };
    }
    const store = new Store(options);
    await store.connect();
    gc();
    gc();
    const before = process.memoryUsage();
    const t0 = performance.now();
    const rollout = new Rollout({ store });
    await rollout.ready();
    const loadMs = performance.now() - t0;
    gc();
    gc();
    const after = process.memoryUsage();
    process.send?.({
      type: 'loaded',
      features: rollout.snapshot().length,
      loadMs,
      heapBytes: after.heapUsed - before.heapUsed,
      rssBytes: after.rss,
      rssDeltaBytes: after.rss - before.rss,
    });
    await rollout.close();
  } catch (error) {
    process.send?.({ type: 'error', message: (error as Error).stack ?? String(error) });
  }
  process.disconnect?.();
});
