import assert from 'node:assert/strict';
import { isRolloutError } from '@rollout/core';
import { makeFeature } from '../fixtures.js';
import { describeError, rejectsWithCode } from '../outcomes.js';
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
      await rejectsWithCode(
        'put(feature, 1) while the feature is at version 2',
        () => store.put({ ...v1, users: ['lost'] }, 1),
        'VERSION_CONFLICT',
        'a compare-and-set that ignores the version loses updates',
      );
      assert.deepEqual(
        (await store.get('cas'))?.users,
        ['a', 'b'],
        'the rejected put changed the stored feature',
      );
      assert.equal(await store.revision(), revision, 'the rejected put moved the revision');
    });

    test('creating a feature that exists (version 0) is a conflict', async (store) => {
      await store.put(makeFeature({ name: 'dup', users: ['first'] }), 0);
      await rejectsWithCode(
        'put(feature, 0) of a feature that exists',
        () => store.put(makeFeature({ name: 'dup', users: ['second'] }), 0),
        'VERSION_CONFLICT',
        'version 0 means "create": it must not overwrite',
      );
      assert.deepEqual(
        (await store.get('dup'))?.users,
        ['first'],
        'the existing feature was overwritten',
      );
    });

    test('updating a feature that does not exist is a conflict', async (store) => {
      await rejectsWithCode(
        'put(feature, 3) of a feature that does not exist',
        () => store.put(makeFeature({ name: 'nope' }), 3),
        'VERSION_CONFLICT',
      );
      assert.equal(await store.get('nope'), undefined, 'the rejected put created the feature');
    });

    test('remove with a stale version is a conflict and keeps the feature', async (store) => {
      await store.put(makeFeature({ name: 'keep' }), 0);
      await rejectsWithCode(
        "remove('keep', 5) while it is at version 1",
        () => store.remove('keep', 5),
        'VERSION_CONFLICT',
      );
      assert.ok(await store.get('keep'), 'the rejected remove deleted the feature');
      assert.equal(await store.remove('keep', 1), true);
    });

    test('remove of a missing feature: false without a version or with 0, a conflict with any other', async (store) => {
      assert.equal(await store.remove('never-was'), false, "remove('never-was')");
      assert.equal(await store.remove('never-was', 0), false, "remove('never-was', 0)");
      await rejectsWithCode(
        "remove('never-was', 2)",
        () => store.remove('never-was', 2),
        'VERSION_CONFLICT',
        'the caller expected version 2 and the feature is gone: someone else removed it',
      );
      assert.equal(await store.revision(), 0, 'removing nothing moved the revision');
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
        assert.equal(
          won.length,
          1,
          `${won.length} of two writers with version 1 succeeded in round ${round}; exactly one may (lost update)`,
        );
        const lost = results.find((r) => r.status === 'rejected');
        assert.ok(
          lost?.status === 'rejected' && isRolloutError(lost.reason, 'VERSION_CONFLICT'),
          `the losing writer rejected with ${lost?.status === 'rejected' ? describeError(lost.reason) : 'nothing'}; expected code VERSION_CONFLICT`,
        );
        const stored = await store.get(name);
        assert.equal(stored?.version, 2, 'stored version after one winning write');
        assert.equal(stored?.users.length, 1, 'the stored record mixes both writes');
      }
    });
  },
};

/** Runs only the version-conflict group (`runner` and `config` as for runStoreConformance). */
export function runConflictTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [conflictsGroup]);
}
