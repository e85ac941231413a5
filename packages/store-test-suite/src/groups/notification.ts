import assert from 'node:assert/strict';
import { type FeatureStore, Rollout, type StoreChange, type StoreListener } from '@rollout/core';
import { sleep } from '@rollout/core/store';
import { makeFeature } from '../fixtures.js';
import { nextEvent } from '../next-event.js';
import { describeValue } from '../outcomes.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';
import { waitFor } from '../waiting.js';

/** A listener that records what it is told, in order. */
function recorder(): { events: (StoreChange | 'resync' | Error)[]; listener: StoreListener } {
  const events: (StoreChange | 'resync' | Error)[] = [];
  return {
    events,
    listener: {
      change: (c) => events.push(c),
      resync: () => events.push('resync'),
      error: (e) => events.push(e),
    },
  };
}

/**
 * The store as a client sees it when every pushed notification is lost: `subscribe`
 * succeeds but its listener is never called. Only polling `revision()` is left.
 */
function deaf(store: FeatureStore): FeatureStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'subscribe' && target.subscribe) {
        return async () => async () => {};
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Pollers see the revision move; stores with `subscribe` notify every subscriber,
 * their own included; after a gap in the push channel subscribers get `resync`;
 * clients see each other, and keep polling even when the store pushes.
 */
export const notificationGroup: ConformanceGroup = {
  title: 'change notification',
  tests: ({ test, skip, sibling, config }) => {
    test('the revision tells pollers that something changed', async (store, options) => {
      const other = await sibling(store, options);
      const before = await other.revision();
      await store.put(makeFeature({ name: 'seen' }), 0);
      const after = await other.revision();
      assert.ok(
        after > before,
        `revision() of another handle stayed at ${after} after a put (was ${before}): a stale revision hides changes from every poller`,
      );
    });

    test('subscribers of the writing instance are notified too', async (store) => {
      if (!store.subscribe) {
        assert.equal(store.capabilities.push, false, 'push: true but no subscribe()');
        return;
      }
      const { events, listener } = recorder();
      const unsubscribe = await store.subscribe(listener);
      try {
        await store.put(makeFeature({ name: 'own-write' }), 0);
        await waitFor(
          'a notification of a write made through the same instance',
          () => events.some((e) => typeof e === 'object' && 'name' in e && e.name === 'own-write'),
          5000,
        ).catch(() =>
          assert.fail(
            `subscribe() on the writing instance got ${describeValue(events)} within 5 s, no change for "own-write": ` +
              'the store does not notify its own subscribers, so clients sharing one store instance never see each other',
          ),
        );
      } finally {
        await unsubscribe();
      }
    });

    test('subscribers learn of every put and remove, with growing revisions', async (store, options) => {
      // A store may implement subscribe by polling (then it declares push: false); either way it delivers every change.
      if (!store.subscribe) {
        assert.equal(store.capabilities.push, false, 'push: true but no subscribe()');
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
          'notifications for put n1, put n2, remove n1, in order',
        );
        const revs = changes.map((c) => c.revision);
        assert.ok(revs[0]! < revs[1]! && revs[1]! < revs[2]!, `revisions grow: ${revs.join(',')}`);
        assert.equal(
          revs[2],
          await store.revision(),
          'the last notification names the current revision',
        );
      } finally {
        await unsubscribe();
      }
      const count = changes.length;
      await store.put(makeFeature({ name: 'after-unsubscribe' }), 0);
      await sleep(100);
      assert.equal(changes.length, count, 'no notification after unsubscribe');
    });

    const gapCase =
      'after a gap in the push channel, subscribers get resync() and the write made meanwhile is readable';
    if (config.noPushGap !== undefined) {
      skip(gapCase, config.noPushGap);
    } else {
      test(gapCase, async (store, options) => {
        const interrupt = config.interruptPush;
        if (!interrupt) {
          // A store without push has no channel to cut (a polling subscribe cannot miss a change).
          if (!store.capabilities.push) return;
          assert.fail(
            'the store declares push: true but the suite config gives no interruptPush, so whether subscribers ' +
              'get resync() after a gap in the push channel was never checked. Give interruptPush(store, duringGap): ' +
              "cut the store's push channel from outside (kill its subscriber connection on the server, replace the " +
              'directory it watches), await duringGap() while it is down, then resolve once it is back; or, for a store ' +
              'that pushes in-process and cannot have a gap, noPushGap: "<why>"',
          );
        }
        if (!store.subscribe) {
          assert.equal(store.capabilities.push, false, 'push: true but no subscribe()');
          return;
        }
        const writer = await sibling(store, options);
        const { events, listener } = recorder();
        const unsubscribe = await store.subscribe(listener);
        try {
          await interrupt(store, () =>
            writer.put(makeFeature({ name: 'in-the-gap' }), 0).then(() => {}),
          );
          await waitFor(
            'resync() after the push channel came back',
            () => events.includes('resync'),
            10_000,
          ).catch(() =>
            assert.fail(
              `after its push channel was cut and restored the store told subscribers ${describeValue(events)}, never resync(): ` +
                'a store cannot know what it missed in a gap, so without resync() a change made meanwhile can go unannounced and clients keep serving the old value',
            ),
          );
          // A change for the gap's write before the resync means it was heard live:
          // the channel was never cut, and this run proved nothing about gaps.
          const heard = events
            .slice(0, events.indexOf('resync'))
            .some((e) => typeof e === 'object' && 'name' in e && e.name === 'in-the-gap');
          assert.ok(
            !heard,
            `subscribers were told of the write made in the gap as a change (${describeValue(events)}): ` +
              'interruptPush did not cut the push channel; it must cut it from outside, as a dropped connection does',
          );
          assert.ok(
            await store.get('in-the-gap'),
            'the write made during the gap is readable after resync',
          );
        } finally {
          await unsubscribe();
        }
      });
    }

    test('a client still polls revision() at pollIntervalMs when the store pushes', async (store, options) => {
      // Notifications are a fast path, never the only one: with every push lost, polling still converges.
      const other = await sibling(store, options);
      const reader = new Rollout({ store: deaf(store), pollInterval: 50, closeStore: false });
      const writer = new Rollout({ store: other, pollInterval: 50, closeStore: false });
      try {
        await reader.ready();
        const seen = nextEvent(reader, 'change', (e) => e.name === 'polled', 10_000);
        await writer.activate('polled');
        await seen.catch(() =>
          assert.fail(
            'a client that received no notifications never saw a write by polling revision() every 50 ms: the revision did not move',
          ),
        );
      } finally {
        await reader.close();
        await writer.close();
      }
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
