import assert from 'node:assert/strict';
import { type FeatureStore, Rollout } from '@rollout/core';
import {
  CONTENDED,
  type ContentionReport,
  contentionExpected,
  runContentionWriter,
} from '../contention-plan.js';
import type { ContentionJob } from '../contention-worker.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';
import { runWorker } from './multi-process.js';

/** Writers in the contention group unless `ROLLOUT_CONTENTION_WRITERS` says otherwise. */
export const CONTENTION_WRITERS = 8;
/**
 * Calls per writer unless `ROLLOUT_CONTENTION_WRITES` says otherwise: small enough for
 * the group to stay well under 30 s on two cores; `ROLLOUT_CONTENTION_WRITES=500` is
 * the full scenario of the benchmark.
 */
export const CONTENTION_WRITES = 60;

/**
 * Many writers at once on one feature, each with {@link LANES} calls in flight, mixing
 * activateUser, activateGroup and deactivateUser, through Rollout clients with their
 * default settings: every call is acknowledged (none rejected), the final state is
 * exact (no acknowledged write missing), and the feature has one version, and the
 * history one entry, per call. Writers are OS processes for `multiProcess` stores and
 * clients sharing the one instance otherwise.
 */
export const contentionGroup: ConformanceGroup = {
  title: 'contention on one feature',
  tests: ({ test, config }) => {
    const writers = envInteger('ROLLOUT_CONTENTION_WRITERS', CONTENTION_WRITERS);
    const writes = envInteger(
      'ROLLOUT_CONTENTION_WRITES',
      config.contentionWrites ?? CONTENTION_WRITES,
    );
    test(
      `${writers} writers × ${writes} mixed mutations: exact state, none rejected, one version per write`,
      async (store, options) => {
        const reports = store.capabilities.multiProcess
          ? await runContentionProcesses({ ...config, options, writers, writes })
          : await inProcess(store, writers, writes);
        const rejected = reports.flatMap((r) => r.rejected);
        assert.deepEqual(rejected.slice(0, 5), [], `${rejected.length} calls rejected`);
        const expected = contentionExpected(writers, writes);
        const acknowledged = reports.reduce((n, r) => n + r.acknowledged, 0);
        assert.equal(acknowledged, expected.calls);
        const stored = await store.get(CONTENDED);
        assert.ok(stored, 'the contended feature exists');
        const missing = expected.users.filter((u) => !stored.users.includes(u));
        assert.deepEqual(missing, [], 'acknowledged users missing');
        assert.deepEqual(stored.users, expected.users);
        assert.deepEqual(stored.groups, expected.groups);
        assert.equal(stored.version, expected.calls, 'one version per write');
        if (store.capabilities.history) await checkHistory(store, stored.version);
      },
      // Generous: the full scenario on a slow store takes minutes.
      Math.max(config.timeout ?? 60_000, writers * writes * 60),
    );
  },
};

/** Runs only the contention group (`runner` and `config` as for runStoreConformance). */
export function runContentionTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [contentionGroup]);
}

/**
 * Runs the contention workload in `writers` OS processes at once, each opening the store
 * (`module`'s `exportName` on `options`) with a Rollout client of default settings;
 * resolves with every writer's report (the benchmark uses it too).
 */
export async function runContentionProcesses(run: {
  module: string;
  exportName: string;
  options: unknown;
  writers: number;
  writes: number;
}): Promise<ContentionReport[]> {
  const { writers, writes, options } = run;
  // Far enough ahead that every child has loaded the store and connected.
  const startAt = Date.now() + 1000 + writers * 400;
  const jobs = Array.from(
    { length: writers },
    (_, writer): ContentionJob => ({
      module: run.module,
      exportName: run.exportName,
      options,
      writer,
      writes,
      startAt,
    }),
  );
  const outputs = await Promise.all(jobs.map((job) => runWorker('contention-worker.js', job)));
  return outputs.map((out) => JSON.parse(out) as ContentionReport);
}

async function inProcess(
  store: FeatureStore,
  writers: number,
  writes: number,
): Promise<ContentionReport[]> {
  const clients = Array.from(
    { length: writers },
    () => new Rollout({ store, closeStore: false, pollInterval: 60_000 }),
  );
  try {
    return await Promise.all(clients.map((c, p) => runContentionWriter(c, p, writes)));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

// One entry per version, newest first, as far as the store keeps them (1,000 by default).
async function checkHistory(store: FeatureStore, version: number): Promise<void> {
  const versions: number[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.history?.({ name: CONTENDED, limit: 1000, before });
    if (!page || page.length === 0) break;
    versions.push(...page.map((e) => e.version));
    before = page[page.length - 1]?.revision;
  }
  // Retention may keep fewer (the store's historyLimit, 1,000 by default), never more.
  assert.ok(versions.length >= Math.min(version, 1000), `only ${versions.length} history entries`);
  const want = Array.from({ length: versions.length }, (_, i) => version - i);
  assert.deepEqual(versions, want, 'one history entry per write, in version order');
}

function envInteger(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}
