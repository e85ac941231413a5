/**
 * Child process of the multi-process group: opens the store under test with the
 * options it is given, waits for a common start instant so every child writes at
 * the same time, then adds its users to one shared feature and creates its own
 * features, through the Rollout client's compare-and-set mutations.
 */
import { Rollout } from '@rollout/core';
import { loadStoreClass } from './open-store.js';

/** What the parent sends (as JSON in argv[2]). */
export interface WorkerJob {
  module: string;
  exportName: string;
  options: unknown;
  feature: string;
  ids: string[];
  features: string[];
  startAt: number;
  concurrency: number;
  /** Who the writes are by (recorded in history). */
  actor?: string;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
  const Store = await loadStoreClass(job.module, job.exportName);
  const store = new Store(job.options);
  await store.connect();
  const rollout = new Rollout({
    store,
    pollInterval: 60_000,
    writeAttempts: 1000,
    actor: job.actor,
  });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.startAt - Date.now())));
  const tasks: (() => Promise<unknown>)[] = [
    ...job.ids.map((id) => () => rollout.activateUser(job.feature, id)),
    ...job.features.map((name) => () => rollout.addFeature({ name, users: [name] })),
  ];
  // A few writes in flight per process: contention inside the process as well as between them.
  let next = 0;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        if (task) await task();
      }
    }),
  );
  await rollout.close();
  process.stdout.write(JSON.stringify({ ok: true, writes: tasks.length }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
