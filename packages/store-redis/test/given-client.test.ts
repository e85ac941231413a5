import { Rollout } from '@rollout/core';
import { nextEvent } from '@rollout/store-test-suite';
import { type RedisServer, useRedis } from '@rollout/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

let server: RedisServer;
beforeAll(async () => {
  server = await useRedis();
});
afterAll(async () => server?.kill());

describe('new RedisStore({ client })', () => {
  it("works on the app's own ioredis client, gets pushes, and leaves the client open", async () => {
    const prefix = uniquePrefix('client');
    const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const reader = new Rollout({ store: new RedisStore({ client, prefix }), pollInterval: 60_000 });
    const writer = new Rollout({ store: new RedisStore({ url: server.url, prefix }) });
    try {
      await Promise.all([reader.ready(), writer.ready()]);
      const pushed = nextEvent(
        reader,
        'change',
        (c) => c.name === 'via-client' && c.source === 'remote',
      );
      await writer.addFeature({ name: 'via-client', groups: ['ALL'] });
      await pushed;
      expect(reader.can({ id: 1 }, 'via-client')).toBe(true);
      await reader.activateUser('via-client', 5);
      expect((await writer.getFeature('via-client'))?.users).toEqual(['5']);

      await reader.close(); // closes the store, which must not close the app's client
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      // The store added nothing to the app's client (no defineCommand).
      expect(Object.keys(client).filter((k) => k.toLowerCase().includes('rollout'))).toEqual([]);
    } finally {
      await reader.close();
      await writer.close();
      await client.quit();
    }
  });

  it('refuses url and client together', () => {
    const client = new Redis(server.url, { lazyConnect: true });
    expect(() => new RedisStore({ client, url: server.url })).toThrow(/either url or client/);
    client.disconnect();
  });
});
