import assert from 'node:assert/strict';
import { Rollout } from '@rollout/core';
import { makeFeature } from '../fixtures.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/** Many writers in one process, through Rollout clients and straight on the store. */
export const concurrencyGroup: ConformanceGroup = {
  title: 'concurrency in one process',
  tests: ({ test, sibling }) => {
    test('many concurrent writers on one feature lose nothing', async (store, options) => {
      const stores = [store, ...(await Promise.all([1, 2, 3].map(() => sibling(store, options))))];
      const clients = stores.map(
        (s) => new Rollout({ store: s, closeStore: false, writeAttempts: 1000 }),
      );
      try {
        const ids = Array.from({ length: 80 }, (_, i) => `u${i}`);
        await Promise.all(
          ids.map((id, i) => clients[i % clients.length]!.activateUser('shared', id)),
        );
        const stored = await store.get('shared');
        assert.deepEqual([...(stored?.users ?? [])].sort(), [...ids].sort());
        assert.equal(stored?.version, ids.length, 'one version per write');
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });

    test('concurrent creates of distinct features all land', async (store, options) => {
      const other = await sibling(store, options);
      const names = Array.from({ length: 60 }, (_, i) => `distinct-${i}`);
      await Promise.all(
        names.map((name, i) => (i % 2 ? store : other).put(makeFeature({ name }), 0)),
      );
      const snap = await store.snapshot();
      assert.deepEqual(snap.features.map((f) => f.name).sort(), [...names].sort());
    });
  },
};

/** Runs only the one-process concurrency group (`runner` and `config` as for runStoreConformance). */
export function runConcurrencyTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [concurrencyGroup]);
}
