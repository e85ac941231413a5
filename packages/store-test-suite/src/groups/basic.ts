import assert from 'node:assert/strict';
import type { Feature } from '@rollout/core';
import { makeFeature, richFeature } from '../fixtures.js';
import { rejectsWithCode } from '../outcomes.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/** Fields a store must keep exactly as written. */
function content(f: Feature): unknown {
  const { version: _v, ...rest } = f;
  return JSON.parse(JSON.stringify(rest));
}

/** Capabilities as data, an empty new store, create/update/remove, copies, revisions. */
export const basicGroup: ConformanceGroup = {
  title: 'basic reads and writes',
  tests: ({ test }) => {
    test('declares its name and capabilities as data', async (store) => {
      assert.equal(typeof store.name, 'string');
      assert.ok(store.name.length > 0);
      const c = store.capabilities;
      for (const key of ['push', 'multiProcess', 'durable', 'history'] as const) {
        assert.equal(typeof c[key], 'boolean', `capabilities.${key}`);
      }
      assert.ok(
        Number.isFinite(c.pollIntervalMs) && c.pollIntervalMs > 0,
        'capabilities.pollIntervalMs',
      );
      if (c.push)
        assert.equal(typeof store.subscribe, 'function', 'push stores implement subscribe');
      if (c.history)
        assert.equal(typeof store.history, 'function', 'history stores implement history');
    });

    test('a new store is empty; a miss is undefined, not an error', async (store) => {
      const snap = await store.snapshot();
      assert.deepEqual(snap.features, []);
      assert.ok(Number.isInteger(snap.revision) && snap.revision >= 0);
      assert.equal(await store.get('missing'), undefined);
      assert.equal(await store.remove('missing'), false);
      assert.equal(await store.revision(), snap.revision);
    });

    test('put with version 0 creates the feature at version 1 and every field round-trips', async (store) => {
      const feature = richFeature('everything');
      const stored = await store.put(feature, 0);
      assert.equal(stored.version, 1);
      assert.deepEqual(content(stored), content(feature));
      const read = await store.get('everything');
      assert.ok(read);
      assert.equal(read.version, 1);
      assert.deepEqual(content(read), content(feature));
    });

    test('put with the current version updates and increments the version', async (store) => {
      const v1 = await store.put(makeFeature({ name: 'f', users: ['1'] }), 0);
      const v2 = await store.put({ ...v1, users: ['1', '2'], percentage: 50 }, 1);
      assert.equal(v2.version, 2);
      const read = await store.get('f');
      assert.deepEqual(read?.users, ['1', '2']);
      assert.equal(read?.percentage, 50);
      assert.equal(read?.version, 2);
    });

    test('remove deletes the feature and reports whether it existed', async (store) => {
      await store.put(makeFeature({ name: 'gone' }), 0);
      await store.put(makeFeature({ name: 'stays' }), 0);
      assert.equal(await store.remove('gone'), true);
      assert.equal(await store.get('gone'), undefined);
      assert.equal(await store.remove('gone'), false);
      assert.ok(await store.get('stays'));
      // A removed feature can be created again from version 0.
      const again = await store.put(makeFeature({ name: 'gone' }), 0);
      assert.equal(again.version, 1);
    });

    test('put validates the record: an invalid one is rejected with INVALID_INPUT and nothing is written', async (store) => {
      const good = makeFeature({ name: 'checked' });
      const bad: [string, unknown][] = [
        ['an empty name', { ...good, name: '' }],
        ['percentage 101', { ...good, percentage: 101 }],
        ['users that are not an array', { ...good, users: 'everyone' }],
      ];
      for (const [what, record] of bad) {
        await rejectsWithCode(
          `put(a feature with ${what}, 0)`,
          () => store.put(record as Feature, 0),
          'INVALID_INPUT',
          'a store never writes what it could not read back',
        );
      }
      assert.equal(await store.revision(), 0, 'a rejected put moved the revision');
      assert.deepEqual((await store.snapshot()).features, [], 'a rejected put wrote something');
    });

    test('records handed out are copies: changing them changes nothing stored', async (store) => {
      const stored = await store.put(makeFeature({ name: 'copy', users: ['1'] }), 0);
      stored.users.push('mutated');
      const read = await store.get('copy');
      assert.ok(read);
      read.users.push('mutated-too');
      const snap = await store.snapshot();
      snap.features[0]?.users.push('mutated-three');
      assert.deepEqual(
        (await store.get('copy'))?.users,
        ['1'],
        'a caller changed a record the store handed out (from put, get or snapshot) and the stored feature changed with it: hand out copies (copyFeature)',
      );
    });

    test('every successful write bumps the revision; reads do not', async (store) => {
      const r0 = await store.revision();
      await store.put(makeFeature({ name: 'a' }), 0);
      const r1 = await store.revision();
      assert.ok(r1 > r0, `revision() was ${r0} before a put and ${r1} after: a put must bump it`);
      await store.get('a');
      await store.snapshot();
      assert.equal(await store.revision(), r1, 'reads leave the revision alone');
      await store.remove('a');
      const r2 = await store.revision();
      assert.ok(
        r2 > r1,
        `revision() was ${r1} before a remove and ${r2} after: a remove must bump it, or pollers miss deletions`,
      );
      await store.remove('a');
      await rejectsWithCode(
        'put(new feature, 7)',
        () => store.put(makeFeature({ name: 'b' }), 7),
        'VERSION_CONFLICT',
      );
      assert.equal(await store.revision(), r2, 'failed writes leave the revision alone');
    });
  },
};

/** Runs only the basic group (`runner` and `config` as for runStoreConformance). */
export function runBasicTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [basicGroup]);
}
