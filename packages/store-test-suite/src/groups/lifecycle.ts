import assert from 'node:assert/strict';
import { type FeatureStore, isRolloutError } from '@rollout/core';
import { makeFeature } from '../fixtures.js';
import { loadStoreFromUrl } from '../open-store.js';
import { describeError, HANG_MS, settle } from '../outcomes.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/**
 * URLs no store may take for its own. `memory:` is skipped for the store whose
 * `storeFromUrl` answers it with an instance of the class under test (the memory
 * store's own scheme); `other-scheme:` must be refused by every store.
 */
const OTHER_SCHEMES = ['other-scheme://127.0.0.1/x', 'memory:'] as const;

/** Asserts that `call` rejects with a rollout error of code CLOSED (any copy of core). */
async function assertRejectsClosed(what: string, call: () => Promise<unknown>): Promise<void> {
  const outcome = await settle(what, call);
  if ('hung' in outcome) assert.fail(`${what} neither resolved nor rejected within ${HANG_MS} ms`);
  if ('resolved' in outcome) {
    // A subscription granted after close would leak its listener: release it.
    if (typeof outcome.resolved === 'function')
      await Promise.resolve(outcome.resolved()).catch(() => {});
    assert.fail(`${what} resolved; it must reject with code CLOSED`);
  }
  assert.ok(
    isRolloutError(outcome.rejected, 'CLOSED'),
    `${what} rejected with ${describeError(outcome.rejected)}; expected code CLOSED`,
  );
}

/** The contract's members as called after close; optional ones only where the store has them. */
const MEMBERS: readonly {
  name: string;
  has?: (store: FeatureStore) => boolean;
  call: (store: FeatureStore) => Promise<unknown>;
}[] = [
  { name: 'connect()', call: (s) => s.connect() },
  { name: 'snapshot()', call: (s) => s.snapshot() },
  { name: 'get()', call: (s) => s.get('before-close') },
  { name: 'revision()', call: (s) => s.revision() },
  { name: 'put()', call: (s) => s.put(makeFeature({ name: 'after-close' }), 0) },
  { name: 'remove()', call: (s) => s.remove('before-close') },
  {
    name: 'subscribe()',
    has: (s) => typeof s.subscribe === 'function',
    call: (s) => s.subscribe!({ change: () => {}, resync: () => {}, error: () => {} }),
  },
  {
    name: 'history()',
    has: (s) => typeof s.history === 'function',
    call: (s) => s.history!({}),
  },
];

/**
 * The closed state and the URL factory, alike in every store: after `close()` each
 * member rejects with code CLOSED, a second `close()` resolves, and `storeFromUrl`
 * refuses another store's scheme with code INVALID_STORE_URL.
 */
export const lifecycleGroup: ConformanceGroup = {
  title: 'lifecycle',
  tests: ({ test, config, klass }) => {
    for (const member of MEMBERS) {
      test(`after close(), ${member.name} rejects with CLOSED`, async (store) => {
        if (member.has && !member.has(store)) return;
        // Something stored first, so a store cannot answer from a cache it kept.
        await store.put(makeFeature({ name: 'before-close' }), 0);
        await store.close();
        await assertRejectsClosed(`${member.name} after close()`, () => member.call(store));
      });
    }

    test('close() twice resolves, in flight and after', async (store) => {
      const first = settle('close()', () => store.close());
      const second = settle('a second close() while the first is in flight', () => store.close());
      for (const [what, outcome] of [
        ['close()', await first],
        ['a second close() while the first is in flight', await second],
        ['close() after close()', await settle('close() after close()', () => store.close())],
      ] as const) {
        if ('hung' in outcome) assert.fail(`${what} did not settle within ${HANG_MS} ms`);
        if ('rejected' in outcome)
          assert.fail(`${what} rejected with ${describeError(outcome.rejected)}`);
      }
    });

    test('storeFromUrl refuses a URL of another scheme with INVALID_STORE_URL', async () => {
      const storeFromUrl = await loadStoreFromUrl(config.module);
      const Store = await klass();
      for (const url of OTHER_SCHEMES) {
        const outcome = await settle(`storeFromUrl(new URL(${JSON.stringify(url)}))`, async () =>
          storeFromUrl(new URL(url)),
        );
        if ('hung' in outcome) assert.fail(`storeFromUrl(${url}) did not settle`);
        if ('resolved' in outcome) {
          const made = outcome.resolved as FeatureStore | undefined;
          await made?.close?.().catch(() => {});
          if (url === 'memory:' && made instanceof Store) continue; // the store's own scheme
          assert.fail(
            `storeFromUrl(${url}) returned a store; it must throw code INVALID_STORE_URL`,
          );
        }
        assert.ok(
          isRolloutError(outcome.rejected, 'INVALID_STORE_URL'),
          `storeFromUrl(${url}) threw ${describeError(outcome.rejected)}; expected code INVALID_STORE_URL`,
        );
      }
    });
  },
};

/** Runs only the lifecycle group (`runner` and `config` as for runStoreConformance). */
export function runLifecycleTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [lifecycleGroup]);
}
