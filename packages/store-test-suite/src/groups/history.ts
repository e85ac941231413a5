import assert from 'node:assert/strict';
import {
  type FeatureStore,
  type HistoryEntry,
  HistoryUnsupportedError,
  Rollout,
  ValidationError,
  VersionConflictError,
} from '@rollout/core';
import { HOSTILE_NAMES, makeFeature } from '../fixtures.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';
import { childJobs, runChildren } from './multi-process.js';

// Stores without history pass these trivially, after checking that the client says so.
async function keepsHistory(store: FeatureStore): Promise<boolean> {
  if (store.capabilities.history) return true;
  const rollout = new Rollout({ store, closeStore: false, pollInterval: 60_000 });
  await assert.rejects(rollout.history(), (error: unknown) => {
    assert.ok(error instanceof HistoryUnsupportedError);
    assert.equal(error.code, 'HISTORY_UNSUPPORTED');
    assert.equal(error.store, store.name);
    return true;
  });
  await rollout.close();
  return false;
}

function history(store: FeatureStore, query?: Parameters<NonNullable<FeatureStore['history']>>[0]) {
  assert.equal(typeof store.history, 'function', 'history stores implement history');
  return (store.history as NonNullable<FeatureStore['history']>).call(store, query);
}

function assertIsoTime(entry: HistoryEntry): void {
  assert.match(entry.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  assert.ok(Math.abs(Date.parse(entry.at) - Date.now()) < 10 * 60_000, 'at is about now');
}

/**
 * Change history (stores that declare `capabilities.history`): one entry per
 * acknowledged write, atomically with it, also between OS processes; pages; retention
 * (the store's `historyLimit` option); restore through the client.
 */
export const historyGroup: ConformanceGroup = {
  title: 'change history',
  tests: (suite) => {
    const { test, sibling, config } = suite;
    test('each write records one entry: who, when, what before and after', async (store) => {
      if (!(await keepsHistory(store))) return;
      const v1 = await store.put(makeFeature({ name: 'h', users: ['a'] }), 0, {
        actor: 'ana@laptop',
        note: 'first cut',
      });
      const v2 = await store.put({ ...v1, users: ['a', 'b'] }, 1, { actor: 'ci' });
      await store.remove('h', 2, { actor: 'ops', note: 'cleanup' });
      const revision = await store.revision();
      const entries = await history(store, { name: 'h' });
      assert.equal(entries.length, 3);
      const [removed, updated, added] = entries as [HistoryEntry, HistoryEntry, HistoryEntry];
      assert.deepEqual(
        entries.map((e) => [e.action, e.version, e.actor, e.note]),
        [
          ['remove', 3, 'ops', 'cleanup'],
          ['update', 2, 'ci', undefined],
          ['add', 1, 'ana@laptop', 'first cut'],
        ],
      );
      assert.equal(removed.revision, revision, 'the newest entry is at the current revision');
      assert.ok(added.revision < updated.revision && updated.revision < removed.revision);
      assert.deepEqual(added.feature, v1);
      assert.equal(added.previous, undefined);
      assert.deepEqual(updated.previous, v1);
      assert.deepEqual(updated.feature, v2);
      assert.equal(removed.feature, undefined);
      assert.deepEqual(removed.previous, v2);
      for (const entry of entries) {
        assert.equal(entry.name, 'h');
        assertIsoTime(entry);
      }
      // Without a context, the action follows from the write.
      await store.put(makeFeature({ name: 'plain' }), 0);
      const [plain] = await history(store, { name: 'plain' });
      assert.equal(plain?.action, 'add');
      assert.equal(plain?.actor, undefined);
    });

    test('a refused write records nothing', async (store) => {
      if (!(await keepsHistory(store))) return;
      const v1 = await store.put(makeFeature({ name: 'r' }), 0);
      await assert.rejects(store.put(v1, 0), VersionConflictError);
      await assert.rejects(store.remove('r', 7), VersionConflictError);
      assert.equal(await store.remove('never-there'), false);
      await assert.rejects(store.put(v1, 1, { actor: 'a\nb' }), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, 'actor');
        return true;
      });
      await assert.rejects(store.put(v1, 1, { note: 'x'.repeat(5000) }), ValidationError);
      assert.equal((await store.get('r'))?.version, 1);
      const entries = await history(store);
      assert.deepEqual(
        entries.map((e) => [e.name, e.version]),
        [['r', 1]],
      );
    });

    test('pages newest first, over one feature or every feature', async (store) => {
      if (!(await keepsHistory(store))) return;
      let a = await store.put(makeFeature({ name: 'a' }), 0);
      const ab = await store.put(makeFeature({ name: 'ab' }), 0);
      for (let i = 0; i < 4; i++) a = await store.put({ ...a, percentage: i + 1 }, a.version);
      await store.put({ ...ab, percentage: 50 }, 1);
      const all = await history(store);
      assert.deepEqual(
        all.map((e) => `${e.name}@${e.version}`),
        ['ab@2', 'a@5', 'a@4', 'a@3', 'a@2', 'ab@1', 'a@1'],
      );
      const page1 = await history(store, { name: 'a', limit: 2 });
      assert.deepEqual(
        page1.map((e) => e.version),
        [5, 4],
      );
      const page2 = await history(store, { name: 'a', limit: 2, before: page1[1]?.revision });
      assert.deepEqual(
        page2.map((e) => e.version),
        [3, 2],
      );
      const rest = await history(store, { limit: 10, before: page2[1]?.revision });
      assert.deepEqual(
        rest.map((e) => `${e.name}@${e.version}`),
        ['ab@1', 'a@1'],
      );
      await assert.rejects(history(store, { limit: 0 }), ValidationError);
    });

    test('names are matched exactly, hostile ones included', async (store) => {
      if (!(await keepsHistory(store))) return;
      for (const name of HOSTILE_NAMES) await store.put(makeFeature({ name }), 0);
      for (const name of HOSTILE_NAMES) {
        const entries = await history(store, { name });
        assert.deepEqual(
          entries.map((e) => [e.name, e.version]),
          [[name, 1]],
          `history of ${JSON.stringify(name)}`,
        );
      }
    });

    test('keeps the last historyLimit entries of each feature, trimmed by the writes', async (_store, options) => {
      if (!(await keepsHistory(_store))) return;
      if (typeof options !== 'object' || options === null) return;
      const store = await suite.openStore({ ...options, historyLimit: 3 });
      let f = await store.put(makeFeature({ name: 'kept' }), 0);
      for (let i = 0; i < 5; i++) f = await store.put({ ...f, percentage: i + 1 }, f.version);
      await store.put(makeFeature({ name: 'other' }), 0);
      const kept = await history(store, { name: 'kept' });
      assert.deepEqual(
        kept.map((e) => e.version),
        [6, 5, 4],
      );
      assert.deepEqual(
        (await history(store)).map((e) => `${e.name}@${e.version}`),
        ['other@1', 'kept@6', 'kept@5', 'kept@4'],
      );
    });

    test('restore writes an old version back, also of a removed feature', async (store, options) => {
      if (!(await keepsHistory(store))) return;
      const rollout = new Rollout({ store, closeStore: false, pollInterval: 60_000, actor: 'ops' });
      try {
        await rollout.addFeature({ name: 'back', percentage: 10, description: 'ten' });
        await rollout.activatePercentage('back', 80);
        const restored = await rollout.restore('back', 1, { note: 'too fast' });
        assert.equal(restored.version, 3);
        assert.equal(restored.percentage, 10);
        await rollout.removeFeature('back');
        const again = await rollout.restore('back', 3);
        assert.equal(again.version, 1, 'a removed feature comes back as a new record');
        assert.equal(again.description, 'ten');
        const other = await sibling(store, options);
        const entries = await history(other, { name: 'back' });
        assert.deepEqual(
          entries.map((e) => [e.action, e.version, e.actor]),
          [
            ['restore', 1, 'ops'],
            ['remove', 4, 'ops'],
            ['restore', 3, 'ops'],
            ['update', 2, 'ops'],
            ['add', 1, 'ops'],
          ],
        );
        assert.equal(entries[2]?.note, 'too fast');
        assert.equal(entries[2]?.previous?.percentage, 80);
      } finally {
        await rollout.close();
      }
    });

    test('several OS processes writing one feature: one entry per write, versions consecutive', async (store, options) => {
      if (!(await keepsHistory(store)) || !store.capabilities.multiProcess) return;
      const jobs = childJobs(config, options, (p, per) => ({
        feature: 'contended',
        ids: Array.from({ length: per }, (_, i) => `p${p}-u${i}`),
        features: [],
        actor: `process-${p}`,
      }));
      await runChildren(jobs);
      const writes = jobs.reduce((n, job) => n + job.ids.length, 0);
      const entries: HistoryEntry[] = [];
      for (let before: number | undefined; entries.length < writes + 1; ) {
        const page = await history(store, { name: 'contended', limit: 50, before });
        if (page.length === 0) break;
        entries.push(...page);
        before = page[page.length - 1]?.revision;
      }
      assert.equal(entries.length, writes, 'exactly one entry per acknowledged write');
      assert.deepEqual(
        entries.map((e) => e.version),
        Array.from({ length: writes }, (_, i) => writes - i),
        'versions consecutive, none missing',
      );
      const revisions = entries.map((e) => e.revision);
      assert.equal(new Set(revisions).size, writes, 'one revision per entry');
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as HistoryEntry;
        const older = entries[i + 1];
        assert.equal(entry.action, i === entries.length - 1 ? 'add' : 'update');
        assert.deepEqual(entry.previous, older?.feature, `previous of version ${entry.version}`);
        const added = (entry.feature?.users ?? []).filter(
          (u) => !entry.previous?.users.includes(u),
        );
        assert.equal(added.length, 1, 'each write added one user');
        const owner = Number(/^p(\d+)-/.exec(added[0] as string)?.[1]);
        assert.equal(entry.actor, `process-${owner}`, 'the entry names the process that wrote');
      }
      assert.deepEqual(entries[0]?.feature, await store.get('contended'));
    });
  },
};

/** Runs only the history group (`runner` and `config` as for runStoreConformance). */
export function runHistoryTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [historyGroup]);
}
