import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type Feature,
  type FeatureStore,
  Rollout,
  type StoreChange,
  ValidationError,
  VersionConflictError,
} from '@rollout/core';
import { HOSTILE_NAMES, makeFeature, richFeature } from './fixtures.js';
import { loadStoreClass, type StoreConstructor } from './open-store.js';
import type { ConformanceOptions, TestRunner } from './runner.js';
import type { WorkerJob } from './worker.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fields a store must keep exactly as written. */
function content(f: Feature): unknown {
  const { version: _v, ...rest } = f;
  return JSON.parse(JSON.stringify(rest));
}

/** Waits until `check` returns true, polling; fails with `what` after `ms`. */
async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new assert.AssertionError({ message: `timed out waiting for ${what}` });
    await sleep(10);
  }
}

/**
 * Registers the conformance suite for one store implementation. Every store
 * package runs it; third-party store authors can run it too:
 *
 * ```ts
 * import { describe, it, afterAll } from 'vitest';
 * import { runStoreConformance } from '@rollout/store-test-suite';
 * runStoreConformance({ describe, it, afterAll }, {
 *   name: 'mystore',
 *   module: new URL('../dist/index.js', import.meta.url).href,
 *   exportName: 'MyStore',
 *   options: () => ({ url: process.env.MY_URL, prefix: crypto.randomUUID() }),
 * });
 * ```
 *
 * Groups: basic reads and writes, snapshot, version conflicts, change
 * notification, bad input, concurrency in one process, and (when the store
 * declares `multiProcess`) several OS processes writing at once.
 */
export function runStoreConformance(runner: TestRunner, config: ConformanceOptions): void {
  const { describe, it } = runner;
  const timeout = config.timeout ?? 60_000;
  const open = new Set<FeatureStore>();
  let storeClass: StoreConstructor | undefined;

  async function klass(): Promise<StoreConstructor> {
    storeClass ??= await loadStoreClass(config.module, config.exportName);
    return storeClass;
  }

  /** Opens a store on `options`, tracked so it is closed even when a test fails. */
  async function openStore(options: unknown): Promise<FeatureStore> {
    const Store = await klass();
    const store = new Store(options);
    open.add(store);
    await store.connect();
    return store;
  }

  /** A fresh, empty store plus the options that open it again. */
  async function fresh(): Promise<{ store: FeatureStore; options: unknown }> {
    const options = await config.options();
    return { store: await openStore(options), options };
  }

  /** Runs a test body with a fresh store, closing whatever it opened. */
  function test(
    name: string,
    body: (store: FeatureStore, options: unknown) => Promise<void>,
  ): void {
    it(
      name,
      async () => {
        const { store, options } = await fresh();
        try {
          await body(store, options);
        } finally {
          for (const s of [...open]) {
            open.delete(s);
            await s.close().catch(() => undefined);
          }
        }
      },
      timeout,
    );
  }

  /** A second handle on the same backend data (another instance for shared backends, the same for in-process ones). */
  async function sibling(store: FeatureStore, options: unknown): Promise<FeatureStore> {
    return store.capabilities.multiProcess ? openStore(options) : store;
  }

  describe(`${config.name} store conformance`, () => {
    runner.afterAll?.(async () => {
      for (const s of open) await s.close().catch(() => undefined);
    });

    describe('basic reads and writes', () => {
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

      test('records handed out are copies: changing them changes nothing stored', async (store) => {
        const stored = await store.put(makeFeature({ name: 'copy', users: ['1'] }), 0);
        stored.users.push('mutated');
        const read = await store.get('copy');
        assert.ok(read);
        read.users.push('mutated-too');
        const snap = await store.snapshot();
        snap.features[0]?.users.push('mutated-three');
        assert.deepEqual((await store.get('copy'))?.users, ['1']);
      });

      test('every successful write bumps the revision; reads do not', async (store) => {
        const r0 = await store.revision();
        await store.put(makeFeature({ name: 'a' }), 0);
        const r1 = await store.revision();
        assert.ok(r1 > r0, 'put bumps the revision');
        await store.get('a');
        await store.snapshot();
        assert.equal(await store.revision(), r1, 'reads leave the revision alone');
        await store.remove('a');
        const r2 = await store.revision();
        assert.ok(r2 > r1, 'remove bumps the revision');
        await store.remove('a');
        await assert.rejects(store.put(makeFeature({ name: 'b' }), 7), VersionConflictError);
        assert.equal(await store.revision(), r2, 'failed writes leave the revision alone');
      });
    });

    describe('snapshot', () => {
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
          for (let i = 0; !stop && i < 200; i++)
            await writer.put(makeFeature({ name: `w${i}` }), 0);
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
    });

    describe('version conflicts', () => {
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
    });

    describe('change notification', () => {
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
          await waitFor('three change notifications', () => changes.length >= 3);
          assert.deepEqual(
            changes.map((c) => c.name),
            ['n1', 'n2', 'n1'],
          );
          const revs = changes.map((c) => c.revision);
          assert.ok(
            revs[0]! < revs[1]! && revs[1]! < revs[2]!,
            `revisions grow: ${revs.join(',')}`,
          );
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
          const seen = new Promise<void>((resolve) => {
            reader.on('change', (e) => {
              if (e.name === 'late' && e.feature?.users.includes('7')) resolve();
            });
          });
          await writer.activateUser('late', 7);
          await seen;
          assert.equal(reader.can({ id: 7 }, 'late'), true);
        } finally {
          await reader.close();
          await writer.close();
        }
      });
    });

    describe('bad input and hostile names', () => {
      test('hostile feature names are plain data: stored apart, read back, removed alone', async (store) => {
        for (const name of HOSTILE_NAMES) {
          await store.put(makeFeature({ name, users: [`user-of-${name}`] }), 0);
        }
        const snap = await store.snapshot();
        assert.equal(snap.features.length, HOSTILE_NAMES.length);
        for (const name of HOSTILE_NAMES) {
          const f = await store.get(name);
          assert.ok(f, `get(${JSON.stringify(name)})`);
          assert.equal(f.name, name);
          assert.deepEqual(f.users, [`user-of-${name}`]);
        }
        assert.equal(await store.remove('*'), true);
        assert.equal(await store.remove('__proto__'), true);
        const after = await store.snapshot();
        assert.equal(after.features.length, HOSTILE_NAMES.length - 2);
        assert.equal(await store.get('a*b?c[d]').then((f) => f?.name), 'a*b?c[d]');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });

      test('hostile user ids and group names round-trip', async (store) => {
        const users = [
          'a,b',
          'a|b',
          'a:b',
          '"q"',
          "'q'",
          '*',
          '__proto__',
          ' lead',
          'ünï 🚀',
          'x'.repeat(256),
        ].sort();
        const groups = ['ALL', 'NONE', 'a,b', 'g|h', '__proto__'].sort();
        const stored = await store.put(
          makeFeature({ name: 'ids', users, groups, excludedUsers: ['e,1'] }),
          0,
        );
        assert.deepEqual(stored.users, users);
        const read = await store.get('ids');
        assert.deepEqual(read?.users, users);
        assert.deepEqual(read?.groups, groups);
        assert.deepEqual(read?.excludedUsers, ['e,1']);
      });

      test('a feature with 100,000 users round-trips whole', async (store) => {
        const users = Array.from({ length: 100_000 }, (_, i) => `user-${i}`).sort();
        await store.put(makeFeature({ name: 'huge', users }), 0);
        const read = await store.get('huge');
        assert.equal(read?.users.length, 100_000);
        assert.deepEqual(read?.users, users);
        const snap = await store.snapshot();
        assert.equal(snap.features[0]?.users.length, 100_000);
      });

      test('invalid input is rejected before it reaches the store', async (store) => {
        const rollout = new Rollout({ store, closeStore: false });
        try {
          await rollout.ready();
          await rollout.addFeature({ name: 'valid', percentage: 10 });
          const revision = await store.revision();
          const bad: [string, () => Promise<unknown>][] = [
            ['NaN percentage', () => rollout.activatePercentage('valid', Number.NaN)],
            ['101 percentage', () => rollout.activatePercentage('valid', 101)],
            ['empty name', () => rollout.activate('')],
            ['control characters', () => rollout.activate('bad\nname')],
            ['too long', () => rollout.activate('x'.repeat(201))],
            ['object id', () => rollout.activateUser('valid', { id: { nested: true } } as never)],
            [
              'bad operator',
              () =>
                rollout.updateFeature('valid', {
                  rules: [{ attribute: 'a', operator: 'regex' as never, values: ['.*'] }],
                }),
            ],
            [
              'non-JSON data',
              () => rollout.updateFeature('valid', { data: { when: new Date() } as never }),
            ],
          ];
          for (const [what, call] of bad) {
            await assert.rejects(call(), ValidationError, what);
          }
          assert.equal(await store.revision(), revision, 'nothing was written');
          assert.equal((await store.get('valid'))?.percentage, 10);
        } finally {
          await rollout.close();
        }
      });
    });

    describe('concurrency in one process', () => {
      test('many concurrent writers on one feature lose nothing', async (store, options) => {
        const stores = [
          store,
          ...(await Promise.all([1, 2, 3].map(() => sibling(store, options)))),
        ];
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
    });

    describe('several OS processes at once', () => {
      test('child processes adding users and features concurrently lose nothing', async (store, options) => {
        if (!store.capabilities.multiProcess) {
          assert.equal(store.capabilities.multiProcess, false);
          return;
        }
        const processes = config.processes ?? 4;
        const per = config.writesPerProcess ?? 20;
        const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
        const startAt = Date.now() + 1500;
        const jobs: WorkerJob[] = Array.from({ length: processes }, (_, p) => ({
          module: config.module,
          exportName: config.exportName,
          options,
          feature: 'multi',
          ids: Array.from({ length: per }, (_, i) => `p${p}-u${i}`),
          features: Array.from({ length: Math.ceil(per / 4) }, (_, i) => `p${p}-f${i}`),
          startAt,
          concurrency: 3,
        }));
        await Promise.all(jobs.map((job) => runChild(worker, job)));
        const stored = await store.get('multi');
        const expected = jobs.flatMap((j) => j.ids).sort();
        assert.deepEqual([...(stored?.users ?? [])].sort(), expected);
        assert.equal(stored?.version, expected.length, 'one version per write, none lost');
        const names = (await store.snapshot()).features.map((f) => f.name).sort();
        assert.deepEqual(names, ['multi', ...jobs.flatMap((j) => j.features)].sort());
      });
    });
  });
}

function runChild(worker: string, job: WorkerJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}
