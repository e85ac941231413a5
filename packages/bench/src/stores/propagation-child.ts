/**
 * Child process of the store sections: its own store and Rollout on the same
 * backend namespace as the parent. It reports every remote `change` of the watched
 * feature with the CLOCK_MONOTONIC time it arrived, so the parent can measure
 * write-to-other-process propagation.
 */
import { Rollout } from '@rollout/core';
import { loadStoreClass } from '@rollout/store-test-suite';

interface Job {
  module: string;
  exportName: string;
  options: Record<string, unknown>;
  feature: string;
}

let rollout: Rollout | undefined;

process.on('message', async (m: { type?: string } & Partial<Job>) => {
  if (m.type === 'stop') {
    await rollout?.close().catch(() => undefined);
    process.exit(0);
  }
  if (m.type !== 'start') return;
  const job = m as Job;
  try {
    const Store = await loadStoreClass(job.module, job.exportName);
    rollout = new Rollout({ store: new Store(job.options) });
    rollout.on('change', (e) => {
      if (e.name !== job.feature || e.source !== 'remote') return;
      const at = process.hrtime.bigint();
      process.send?.({ type: 'change', version: e.feature?.version ?? 0, at: at.toString() });
    });
    rollout.on('error', () => {});
    await rollout.ready();
    process.send?.({
      type: 'ready',
      version: rollout.snapshot().find((f) => f.name === job.feature)?.version ?? 0,
    });
  } catch (error) {
    process.send?.({ type: 'error', message: (error as Error).stack ?? String(error) });
  }
});
