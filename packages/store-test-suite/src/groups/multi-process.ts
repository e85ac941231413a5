import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';
import type { WorkerJob } from '../worker.js';

/** Several OS processes write at once (stores that declare `multiProcess`; others pass trivially). */
export const multiProcessGroup: ConformanceGroup = {
  title: 'several OS processes at once',
  tests: ({ test, config }) => {
    test('child processes adding users and features concurrently lose nothing', async (store, options) => {
      if (!store.capabilities.multiProcess) {
        assert.equal(store.capabilities.multiProcess, false);
        return;
      }
      const jobs = childJobs(config, options, (p, per) => ({
        ids: Array.from({ length: per }, (_, i) => `p${p}-u${i}`),
        features: Array.from({ length: Math.ceil(per / 4) }, (_, i) => `p${p}-f${i}`),
      }));
      await runChildren(jobs);
      const stored = await store.get('multi');
      const expected = jobs.flatMap((j) => j.ids).sort();
      assert.deepEqual([...(stored?.users ?? [])].sort(), expected);
      assert.equal(stored?.version, expected.length, 'one version per write, none lost');
      const names = (await store.snapshot()).features.map((f) => f.name).sort();
      assert.deepEqual(names, ['multi', ...jobs.flatMap((j) => j.features)].sort());
    });
  },
};

/** Runs only the multi-process group (`runner` and `config` as for runStoreConformance). */
export function runMultiProcessTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [multiProcessGroup]);
}

/**
 * One job per child process (`config.processes`, default 4), all starting at the same
 * instant 1.5 s from now on feature `multi`; `job(p, writesPerProcess)` fills in the rest.
 */
export function childJobs(
  config: ConformanceOptions,
  options: unknown,
  job: (p: number, per: number) => Pick<WorkerJob, 'ids' | 'features'> & Partial<WorkerJob>,
): WorkerJob[] {
  const per = config.writesPerProcess ?? 20;
  const startAt = Date.now() + 1500;
  return Array.from({ length: config.processes ?? 4 }, (_, p) => ({
    module: config.module,
    exportName: config.exportName,
    options,
    feature: 'multi',
    startAt,
    concurrency: 3,
    ...job(p, per),
  }));
}

/** Runs every job in its own worker process; rejects with a failing child's stderr. */
export async function runChildren(jobs: readonly WorkerJob[]): Promise<void> {
  await Promise.all(jobs.map((job) => runWorker('worker.js', job)));
}

/**
 * Runs `script` (a worker built beside the suite: dist/<script> beside dist/index.js)
 * in its own process with `job` as JSON in argv[2]; resolves with its stdout,
 * rejects with its stderr when it exits non-zero.
 */
export function runWorker(script: string, job: unknown): Promise<string> {
  const worker = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}
