import { Rollout, type RolloutError, StoreUnavailableError } from '@rollout/core';
import { makeFeature, waitFor } from '@rollout/store-test-suite';
import { type PostgresServer, startPostgres } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { freshSchema } from './helpers.js';

// These tests stop and start the server, so they always get one of their own.
let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.kill();
});

// Short timeouts and backoffs so an outage is noticed and left quickly.
const fastOptions = () => ({
  connectionString: server.url,
  schema: freshSchema(),
  connectTimeoutMs: 2000,
  queryTimeoutMs: 5000,
  maxBackoffMs: 300,
});

describe('PostgreSQL stopping and starting under a running client', () => {
  it('serves the stale snapshot, rejects writes with a typed error, and resyncs by itself', async () => {
    const options = fastOptions();
    const store = new PostgresStore(options);
    // Polling every hour: recovery must come from the store's reconnection and the client's backoff.
    const rollout = new Rollout({ store, pollInterval: 3_600_000, maxBackoff: 300 });
    const stale: RolloutError[] = [];
    let fresh = 0;
    rollout.on('stale', (e) => stale.push(e.error));
    rollout.on('fresh', () => fresh++);
    rollout.on('error', () => undefined);
    const other = new PostgresStore(options);
    try {
      await rollout.ready();
      await rollout.addFeature({ name: 'beta', users: [1] });

      await server.stop();
      // Evaluation keeps answering from the snapshot.
      expect(rollout.can({ id: 1 }, 'beta')).toBe(true);
      // Writes fail fast with the typed error, and are not applied.
      const error = await rollout.activateUser('beta', 2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
      expect((error as Error).message).toMatch(/^\[rollout\] \[postgres\] /);
      await expect(store.snapshot()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.get('beta')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.remove('beta')).rejects.toBeInstanceOf(StoreUnavailableError);
      // The lost LISTEN connection makes the client stale, and explain says so.
      await waitFor('the client to go stale', () => rollout.status === 'stale');
      expect(stale[0]).toBeInstanceOf(StoreUnavailableError);
      const explained = rollout.explain({ id: 1 }, 'beta');
      expect(explained).toMatchObject({ enabled: true, stale: true });
      expect(explained.staleError?.code).toBe('STORE_UNAVAILABLE');

      await server.start();
      // Another process changes things right away, likely before this client's
      // LISTEN connection is back: the resync must bring it in anyway.
      const beta = await other.get('beta');
      await other.put(
        { ...(beta ?? makeFeature({ name: 'beta' })), users: ['1', '3'] },
        beta?.version ?? 0,
      );
      await other.put(makeFeature({ name: 'added-meanwhile', groups: ['ALL'] }), 0);

      await waitFor(
        'the change made meanwhile',
        () => rollout.can({ id: 3 }, 'beta') && rollout.can({ id: 9 }, 'added-meanwhile'),
      );
      await waitFor('the client to be fresh again', () => rollout.status === 'ready' && fresh > 0);
      expect(rollout.can({ id: 2 }, 'beta')).toBe(false);

      // Push works again: the next write arrives without polling.
      await waitFor('the LISTEN connection to be back', async () => {
        await other.put(makeFeature({ name: `probe-${Date.now()}` }), 0);
        return rollout.snapshot().some((f) => f.name.startsWith('probe-'));
      });
      await rollout.activateUser('beta', 4);
      expect((await other.get('beta'))?.users).toEqual(['1', '3', '4']);
    } finally {
      await rollout.close();
      await other.close();
    }
  });

  it('a subscriber gets error when the LISTEN connection drops and resync once it is back', async () => {
    const store = new PostgresStore(fastOptions());
    const seen: string[] = [];
    const unsubscribe = await store.subscribe({
      change: () => seen.push('change'),
      resync: () => seen.push('resync'),
      error: (e) => seen.push(e instanceof StoreUnavailableError ? 'unavailable' : 'other error'),
    });
    try {
      await store.connect();
      await server.stop();
      await waitFor('the error', () => seen.includes('unavailable'));
      await server.start();
      await waitFor('the resync', () => seen.includes('resync'));
      expect(seen.indexOf('unavailable')).toBeLessThan(seen.indexOf('resync'));
      expect(seen).not.toContain('other error');
      await store.put(makeFeature({ name: 'after' }), 0);
      await waitFor('a change after the resync', () => seen.at(-1) === 'change');
    } finally {
      await unsubscribe();
      await store.close();
    }
  });

  it('with the server down at startup, ready() rejects with a typed error and the client recovers by itself', async () => {
    const options = fastOptions();
    const seed = new PostgresStore(options);
    await seed.put(makeFeature({ name: 'seeded', groups: ['ALL'] }), 0);
    await seed.close();
    await server.stop();
    const rollout = new Rollout({
      store: new PostgresStore(options),
      maxBackoff: 300,
      pollInterval: 3_600_000,
    });
    const writer = new PostgresStore(options);
    rollout.on('error', () => undefined);
    try {
      await expect(rollout.ready()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(rollout.can({ id: 1 }, 'seeded')).toBe(false);
      await server.start();
      await waitFor('the first snapshot after the server came up', async () => {
        await rollout.ready().catch(() => undefined);
        return rollout.isReady;
      });
      expect(rollout.can({ id: 1 }, 'seeded')).toBe(true);
      // It subscribed once the server was back: changes are pushed, not polled.
      await waitFor('a pushed change after a start during an outage', async () => {
        await writer.put(makeFeature({ name: `pushed-${Date.now()}` }), 0);
        return rollout.snapshot().some((f) => f.name.startsWith('pushed-'));
      });
    } finally {
      await rollout.close();
      await writer.close();
      await server.start();
    }
  });
});
