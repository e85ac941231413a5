import assert from 'node:assert/strict';
import { sleep } from '@rollout/core/store';
import { makeFeature } from '../fixtures.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/** The snapshot holds every feature as `get` returns it, and stays consistent during writes. */
export const snapshotGroup: ConformanceGroup = {
  title: 'snapshot',
  tests: ({ test, sibling }) => {
    test('holds every feature exactly as get returns it, with the current revision', async (store) => {
      const names = ['one', 'two', 'three', 'four'];
      for (const name of names) await store.put(makeFeature({ name, users: [name] }), 0);
      await store.put({ ...makeFeature({ name: 'two', users: ['2'] }) }, 1);
      await store.remove('four');
      const snap = await store.snapshot();
      assert.equal(snap.revision, await store.revision());
      const byName = new Map(snap.features.map((f) => [f.name, f]));
      assert.deepEqual([...byName.keys()].sort(), ['one', 'three', 'two']);
      for (const [name, f] of byName) assert.deepEqual(f, await store.get(name));
      assert.equal(byName.get('two')?.version, 2);
    });

    test('a snapshot taken during writes is consistent with its revision', async (store, options) => {
      const writer = await sibling(store, options);
      let stop = false;
      const writes = (async () => {
        for (let i = 0; !stop && i < 200; i++) await writer.put(makeFeature({ name: `w${i}` }), 0);
      })();
      try {
        for (let i = 0; i < 10; i++) {
          const snap = await store.snapshot();
          // Features are created in order w0, w1, ...: a consistent snapshot holds a prefix.
          const indexes = snap.features.map((f) => Number(f.name.slice(1))).sort((a, b) => a - b);
          for (const [k, n] of indexes.entries())
            assert.equal(n, k, 'snapshot holds a prefix of the writes');
          await sleep(5);
        }
      } finally {
        stop = true;
        await writes;
      }
    });
  },
};

/** Runs only the snapshot group (`runner` and `config` as for runStoreConformance). */
export function runSnapshotTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [snapshotGroup]);
}
