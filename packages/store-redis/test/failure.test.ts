import { Rollout, StoreUnavailableError } from '@rollout/core';
import { sleep } from '@rollout/core/store';
import { makeFeature, nextEvent } from '@rollout/store-test-suite';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

// These tests stop and start the server, so they always use a throwaway one
// (never ROLLOUT_TEST_REDIS_URL).
let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server?.kill());

describe('redis goes away and comes back', () => {
  it('serves the last snapshot while down, rejects writes, then resyncs by itself', async () => {
    const prefix = uniquePrefix('outage');
    // A long poll interval: after the outage, fresh data must come from the resync and
    // pub/sub, not from the regular poll. A slow reconnect for A's connections makes
    // the writer below change data while A is still disconnected.
    const reader = new Rollout({
      store: new RedisStore({
        url: server.url,
        prefix,
        redisOptions: { retryStrategy: () => 1_000 },
      }),
      pollInterval: 60_000,
      maxBackoff: 300,
    });
    await reader.ready();
    const writerStore = new RedisStore({ url: server.url, prefix });
    const writer = new Rollout({ store: writerStore, pollInterval: 60_000, maxBackoff: 300 });
    await writer.ready();
    try {
      const seen = nextEvent(reader, 'change', (c) => c.name === 'beta' && c.source === 'remote');
      await writer.addFeature({ name: 'beta', users: [1] });
      await seen;
      expect(reader.can({ id: 1 }, 'beta')).toBe(true);

      const errors: unknown[] = [];
      reader.on('error', (e) => errors.push(e));
      const stale = nextEvent(reader, 'stale');
      await server.stop();
      const { error } = await stale;
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(/^\[rollout\] \[redis\] /);
      expect(errors.some((e) => e instanceof StoreUnavailableError)).toBe(true);

      // Evaluation keeps answering from the last snapshot, and says it is stale.
      expect(reader.can({ id: 1 }, 'beta')).toBe(true);
      expect(reader.can({ id: 2 }, 'beta')).toBe(false);
      const explanation = reader.explain({ id: 1 }, 'beta');
      expect(explanation.stale).toBe(true);
      expect(explanation.enabled).toBe(true);
      expect(explanation.staleError?.code).toBe('STORE_UNAVAILABLE');

      // Writes fail with a typed error instead of queueing or hanging.
      await expect(reader.activateUser('beta', 2)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(writerStore.put(makeFeature({ name: 'gamma' }), 0)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(writerStore.remove('beta')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(writerStore.snapshot()).rejects.toBeInstanceOf(StoreUnavailableError);

      // Back up: another client changes data before the reader has reconnected.
      const fresh = nextEvent(reader, 'fresh');
      const sawMissedChange = nextEvent(
        reader,
        'change',
        (c) => c.name === 'beta' && c.feature?.users.includes('2') === true,
      );
      await server.start();
      await retryWhileUnavailable(() => writer.activateUser('beta', 2));
      await sawMissedChange;
      await fresh;
      expect(reader.status).toBe('ready');
      expect(reader.can({ id: 2 }, 'beta')).toBe(true);
      expect(reader.explain({ id: 2 }, 'beta').stale).toBe(false);
      // Nothing half-applied during the outage: the rejected write left no trace.
      expect(await writerStore.get('gamma')).toBeUndefined();

      // And pub/sub works again (the poll interval is a minute: only a push can do this).
      const pushed = nextEvent(reader, 'change', (c) => c.name === 'delta');
      await writer.addFeature({ name: 'delta', groups: ['ALL'] });
      await pushed;
      expect(reader.can({ id: 9 }, 'delta')).toBe(true);
    } finally {
      await Promise.all([reader.close(), writer.close()]);
    }
    // Well under the one-minute poll interval: a pass cannot come from polling.
  }, 30_000);

  it('the data survives a restart (durable)', async () => {
    const prefix = uniquePrefix('durable');
    const store = new RedisStore({ url: server.url, prefix });
    try {
      await store.put(makeFeature({ name: 'kept', percentage: 12.5 }), 0);
      const before = await store.revision();
      await server.stop();
      await server.start();
      await retryWhileUnavailable(() => store.connect());
      expect((await store.get('kept'))?.percentage).toBe(12.5);
      expect(await store.revision()).toBe(before);
    } finally {
      await store.close();
    }
  });

  it('connecting while Redis is down fails fast with StoreUnavailableError', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', prefix: uniquePrefix('down') });
    try {
      await expect(store.connect()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});

/** The writer's connection reconnects on its own timer; an app would retry like this. */
async function retryWhileUnavailable<T>(action: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      await sleep(50);
    }
  }
}
