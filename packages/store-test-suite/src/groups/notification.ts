import assert from 'node:assert/strict';
import { Rollout, type RolloutEvents, type StoreChange } from '@rollout/core';
import { sleep } from '@rollout/core/store';
import { makeFeature } from '../fixtures.js';
import { nextEvent } from '../next-event.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';
import { waitFor } from '../waiting.js';

/** Pollers see the revision move; push stores notify subscribers; clients see each other. */
export const notificationGroup: ConformanceGroup = {
  title: 'change notification',
  tests: ({ test, sibling }) => {
    test('the revision tells pollers that something changed', async (store, options) => {
      const other = await sibling(store, options);
      const before = await other.revision();
      await store.put(makeFeature({ name: 'seen' }), 0);
      assert.ok((await other.revision()) > before);
    });

    test('subscribers learn of every put and remove, with growing revisions', async (store, options) => {
      if (!store.capabilities.push || !store.subscribe) {
        assert.equal(store.capabilities.push, false);
        return;
      }
      const watcher = await sibling(store, options);
      const changes: StoreChange[] = [];
      const unsubscribe = await watcher.subscribe!({
        change: (c) => changes.push(c),
        resync: () => undefined,
        error: () => undefined,
      });
      try {
        await store.put(makeFeature({ name: 'n1' }), 0);
        await store.put(makeFeature({ name: 'n2' }), 0);
        await store.remove('n1');
        await waitFor('three change notifications', () => changes.length >= 3, 10_000);
        assert.deepEqual(
          changes.map((c) => c.name),
          ['n1', 'n2', 'n1'],
        );
        const revs = changes.map((c) => c.revision);
        assert.ok(revs[0]! < revs[1]! && revs[1]! < revs[2]!, `revisions grow: ${revs.join(',')}`);
        assert.equal(revs[2], await store.revision());
      } finally {
        await unsubscribe();
      }
      const count = changes.length;
      await store.put(makeFeature({ name: 'after-unsubscribe' }), 0);
      await sleep(100);
      assert.equal(changes.length, count, 'no notification after unsubscribe');
    });

    test("a Rollout client sees another client's write without asking", async (store, options) => {
      const other = await sibling(store, options);
      const reader = new Rollout({ store, pollInterval: 50, closeStore: false });
      const writer = new Rollout({ store: other, pollInterval: 50, closeStore: false });
      try {
        await reader.ready();
        assert.equal(reader.can({ id: 7 }, 'late'), false);
        const seen = nextEvent(
          reader,
          'change',
          (e) => e.name === 'late' && e.feature?.users.includes('7') === true,
        );
        await writer.activateUser('late', 7);
        await seen;
        assert.equal(reader.can({ id: 7 }, 'late'), true);
      } finally {
        await reader.close();
        await writer.close();
      }
    });
  },
};

/** Runs only the change-notification group (`runner` and `config` as for runStoreConformance). */
export function runNotificationTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [notificationGroup]);
}
