/**
 * Child process of the contention group (and the bench): opens the store under test,
 * waits for the common start instant, runs its writer's calls of the contention
 * workload through a Rollout client, and prints its {@link ContentionReport} as JSON.
 */
import { Rollout } from '@rollout/core';
import { runContentionWriter } from './contention-plan.js';
import { loadStoreClass } from './open-store.js';

/** What the parent sends (as JSON in argv[2]). */
export interface ContentionJob {
  module: string;
  exportName: string;
  options: unknown;
  writer: number;
  writes: number;
  startAt: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ContentionJob;
  const Store = await loadStoreClass(job.module, job.exportName);
  const store = new Store(job.options);
  await store.connect();
  // The client's defaults (writeAttempts included): what a user gets.
  const rollout = new Rollout({ store, pollInterval: 60_000 });
  await rollout.ready();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.startAt - Date.now())));
  const report = await runContentionWriter(rollout, job.writer, job.writes);
  await rollout.close();
  process.stdout.write(JSON.stringify(report));
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
