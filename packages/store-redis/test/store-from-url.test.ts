import { ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import { type RedisServer, useRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, storeFromUrl } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

let server: RedisServer;
beforeAll(async () => {
  server = await useRedis();
});
afterAll(async () => server?.kill());

describe('storeFromUrl', () => {
  it('reads ?prefix=, strips it, and hands the rest of the URL to ioredis', async () => {
    const prefix = uniquePrefix('url');
    const store = storeFromUrl(new URL(`${server.url}/0?prefix=${encodeURIComponent(prefix)}`));
    const same = new RedisStore({ url: server.url, prefix });
    try {
      expect(store).toBeInstanceOf(RedisStore);
      expect(store.keys.features).toBe(`{${prefix}}features`);
      await store.put(makeFeature({ name: 'from-url' }), 0);
      expect((await same.get('from-url'))?.version).toBe(1);
    } finally {
      await Promise.all([store.close(), same.close()]);
    }
  });

  it('uses the default prefix without one, and builds no connection before use', async () => {
    // Port 1: nothing listens there; constructing must not try.
    const store = storeFromUrl(new URL('rediss://user:secret@127.0.0.1:1'));
    expect(store.keys.features).toBe('{rollout:}features');
    await store.close();
  });

  it('refuses other schemes and bad store parameters', () => {
    expect(() => storeFromUrl(new URL('postgres://127.0.0.1/x'))).toThrow(ValidationError);
    expect(() => storeFromUrl(new URL('memory:'))).toThrow(
      expect.objectContaining({ code: 'INVALID_STORE_URL' }),
    );
    expect(() => storeFromUrl(new URL('redis://127.0.0.1?prefix=a{b'))).toThrow(ValidationError);
    expect(() => storeFromUrl(new URL('redis://127.0.0.1?commandTimeout=soon'))).toThrow(
      ValidationError,
    );
  });
});
