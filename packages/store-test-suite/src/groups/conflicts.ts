import assert from 'node:assert/strict';
import { VersionConflictError } from '@rollout/core';
import { makeFeature } from '../fixtures.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/** Compare-and-set: stale versions, creates of existing features, racing writers. */
export const conflictsGroup: ConformanceGroup = {
  title: 'version conflicts',
  tests: ({ test, sibling }) => {
    test('a put naming a stale version fails with VersionConflictError and changes nothing', async (store) => {
      const v1 = await store.put(makeFeature({ name: 'cas', users: ['a'] }), 0);
      await store.put({ ...v1, users: ['a', 'b'] }, 1);
      const revision = await store.revision();
      await assert.rejects(store.put({ ...v1, users: ['lost'] }, 1), (error: unknown) => {
        assert.ok(error instanceof VersionConflictError);
        assert.equal(error.code, 'VERSION_CONFLICT');
        return true;
      });
      assert.deepEqual((await store.get('cas'))?.users, ['a', 'b']);
      assert.equal(await store.revision(), revision);
    });

    test('creating a feature that exists (version 0) is a conflict', async (store) => {
      await store.put(makeFeature({ name: 'dup', users: ['first'] }), 0);
      await assert.rejects(
        store.put(makeFeature({ name: 'dup', users: ['second'] }), 0),
        VersionConflictError,
      );
      assert.deepEqual((await store.get('dup'))?.users, ['first']);
    });

    test('updating a feature that does not exist is a conflict', async (store) => {
      await assert.rejects(store.put(makeFeature({ name: 'nope' }), 3), VersionConflictError);
      assert.equal(await store.get('nope'), undefined);
    });

    test('remove with a stale version is a conflict and keeps the feature', async (store) => {
      await store.put(makeFeature({ name: 'keep' }), 0);
      await assert.rejects(store.remove('keep', 5), VersionConflictError);
      assert.ok(await store.get('keep'));
      assert.equal(await store.remove('keep', 1), true);
    });

    test('of two racing writers with the same version exactly one wins', async (store, options) => {
      const other = await sibling(store, options);
      for (let round = 0; round < 10; round++) {
        const name = `race${round}`;
        const base = await store.put(makeFeature({ name }), 0);
        const results = await Promise.allSettled([
          store.put({ ...base, users: ['left'] }, 1),
          other.put({ ...base, users: ['right'] }, 1),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1, 'exactly one writer wins');
        const lost = results.find((r) => r.status === 'rejected');
        assert.ok(
          lost && lost.status === 'rejected' && lost.reason instanceof VersionConflictError,
        );
        const stored = await store.get(name);
        assert.equal(stored?.version, 2);
        assert.equal(stored?.users.length, 1);
      }
    });
  },
};

/** Runs only the version-conflict group (`runner` and `config` as for runStoreConformance). */
export function runConflictTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [conflictsGroup]);
}
