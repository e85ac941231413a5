import { makeFeature, uniqueName } from '@rollout/store-test-suite';
import { type MemcachedServer, useMemcached } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcacheStore, storeFromUrl } from '../src/index.js';

let server: MemcachedServer;
beforeAll(async () => {
  server = await useMemcached();
});
afterAll(async () => {
  await server?.kill();
});

describe('closed state and URL schemes', () => {
  it('after close() every member, restore() included, rejects with CLOSED; close() twice resolves', async () => {
    const store = new MemcacheStore({ servers: server.servers, prefix: `${uniqueName('c')}:` });
    const feature = await store.put(makeFeature({ name: 'before_close' }), 0);
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    const calls: [string, () => Promise<unknown>][] = [
      ['connect', () => store.connect()],
      ['snapshot', () => store.snapshot()],
      ['get', () => store.get('before_close')],
      ['revision', () => store.revision()],
      ['put', () => store.put(feature, 1)],
      ['remove', () => store.remove('before_close', 1)],
      ['restore', () => store.restore([feature])],
    ];
    for (const [member, call] of calls) {
      await expect(call(), member).rejects.toMatchObject({ name: 'ClosedError', code: 'CLOSED' });
    }
  });

  it('storeFromUrl refuses another scheme with INVALID_STORE_URL, as a URL or a string', () => {
    expect(() => storeFromUrl(new URL('memory:'))).toThrow(
      expect.objectContaining({ code: 'INVALID_STORE_URL' }),
    );
    expect(() => storeFromUrl('redis://127.0.0.1:6379')).toThrow(
      expect.objectContaining({ code: 'INVALID_STORE_URL' }),
    );
  });
});
