import { type AddressInfo, createServer } from 'node:net';
import {
  DataLostError,
  LIMITS,
  StoreError,
  StoreUnavailableError,
  ValidationError,
} from '@rollout/core';
import { HOSTILE_NAMES, makeFeature, uniqueName, waitFor } from '@rollout/store-test-suite';
import { freePort, type MemcachedServer, useMemcached } from '@rollout/test-servers';
import memjs from 'memjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcacheStore, optionsFromUrl, storeFromUrl } from '../src/index.js';
import { INDEX_SHARDS } from '../src/layout.js';
import { keysWithPrefix } from './memcached-admin.js';

let server: MemcachedServer;
beforeAll(async () => {
  server = await useMemcached();
});
afterAll(async () => {
  await server?.kill();
});

const prefixed = () => `${uniqueName('k')}:`;

describe('keys and values', () => {
  it('feature names never reach a key: every key is the prefix plus a fixed name, a shard number or a random token', async () => {
    const prefix = prefixed();
    const store = new MemcacheStore({ servers: server.servers, prefix });
    const names = [
      ...new Set([
        ...HOSTILE_NAMES,
        'with space',
        'y'.repeat(LIMITS.nameLength),
        '\u{1F600} emoji',
      ]),
    ];
    for (const name of names) await store.put(makeFeature({ name }), 0);
    // sentinel, revision, the 64 index shards, one record per feature.
    const expected = 2 + INDEX_SHARDS + names.length;
    const keys = await keysWithPrefix(server.host, server.port, prefix, expected);
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    const shape = new RegExp(
      `^${escaped}(sentinel|revision|index:\\d{1,3}|record:[A-Za-z0-9_-]{16}:\\d+)$`,
    );
    expect(keys.length).toBe(expected);
    for (const key of keys) expect(key).toMatch(shape);
    const stored = (await store.snapshot()).features.map((f) => f.name).sort();
    expect(stored).toEqual([...names].sort());
    await store.close();
  });

  it('a feature larger than one memcached item is split into chunks and read back whole', async () => {
    const prefix = prefixed();
    const store = new MemcacheStore({ servers: server.servers, prefix, itemBytes: 64 * 1024 });
    const users = Array.from({ length: LIMITS.users }, (_, i) => `user-${i}`);
    const stored = await store.put(makeFeature({ name: 'huge', users }), 0);
    expect(stored.users).toHaveLength(LIMITS.users);
    const chunks = await keysWithPrefix(server.host, server.port, `${prefix}record:`, 11);
    expect(chunks.length).toBeGreaterThan(10);
    const other = new MemcacheStore({ servers: server.servers, prefix });
    const read = await other.get('huge');
    expect(read?.users).toEqual(stored.users);
    expect(read?.version).toBe(1);
    await store.close();
    await other.close();
  });

  it('an index shard that would outgrow one item is refused with a StoreError before anything changes', async () => {
    const prefix = prefixed();
    // 1 KiB shards hold about 12 entries each: some shard overflows long before 5,000 features.
    const store = new MemcacheStore({ servers: server.servers, prefix, itemBytes: 1024 });
    let written = 0;
    let refused: unknown;
    for (let i = 0; i < 5000 && refused === undefined; i++) {
      try {
        await store.put(makeFeature({ name: `feature_${i}` }), 0);
        written++;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as Error).message).toMatch(
      /^\[rollout\] \[memcache\] the index of \d+ features/,
    );
    expect((await store.snapshot()).features).toHaveLength(written);
    await store.close();
  });
});

describe('options and connections', () => {
  it('expires: the data vanishes as a whole after the last write, reported as data loss', async () => {
    const store = new MemcacheStore({
      servers: server.servers,
      prefix: prefixed(),
      expires: 1,
      restoreOnLoss: false,
    });
    await store.put(makeFeature({ name: 'short_lived' }), 0);
    expect((await store.snapshot()).features).toHaveLength(1);
    await waitFor('the data to expire', () =>
      store.revision().then(
        () => false,
        (error: unknown) => error instanceof DataLostError,
      ),
    );
    await expect(store.snapshot()).rejects.toBeInstanceOf(DataLostError);
    await store.close();
  });

  it('uses a memjs client the application owns and leaves it open on close()', async () => {
    const client = memjs.Client.create(server.servers, { logger: { log: () => undefined } });
    const store = new MemcacheStore({ client, prefix: prefixed() });
    await store.put(makeFeature({ name: 'shared' }), 0);
    expect((await store.get('shared'))?.version).toBe(1);
    await store.close();
    await client.set('still-open', 'yes', {});
    expect((await client.get('still-open')).value?.toString()).toBe('yes');
    client.close();
  });

  it('a server that is down gives StoreUnavailableError', async () => {
    const port = await freePort();
    const store = new MemcacheStore({ servers: `127.0.0.1:${port}`, prefix: prefixed() });
    await expect(store.connect()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.revision()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      store: 'memcache',
    });
    await store.close();
  });

  it('a server that accepts connections but never answers gives StoreUnavailableError, not a hang', async () => {
    const silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const store = new MemcacheStore({
      servers: `127.0.0.1:${port}`,
      prefix: prefixed(),
      timeout: 200,
    });
    await expect(store.snapshot()).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
    silent.close();
  });

  it('rejects options memcached cannot take', () => {
    expect(() => new MemcacheStore({ prefix: 'has space' })).toThrow(ValidationError);
    expect(() => new MemcacheStore({ prefix: 'x'.repeat(101) })).toThrow(ValidationError);
    expect(() => new MemcacheStore({ expires: 60 * 60 * 24 * 31 })).toThrow(ValidationError);
    expect(() => new MemcacheStore({ client: {} as memjs.Client })).toThrow(StoreError);
  });

  it('storeFromUrl reads servers, credentials and query parameters', async () => {
    expect(
      optionsFromUrl(new URL('memcache://127.0.0.1:11211?prefix=app:&pollInterval=250&expires=60')),
    ).toEqual({
      servers: '127.0.0.1:11211',
      prefix: 'app:',
      pollInterval: 250,
      expires: 60,
    });
    expect(optionsFromUrl('memcache://a:1,b:2/?prefix=p:').servers).toBe('a:1,b:2');
    expect(optionsFromUrl(new URL('memcache://a:1?servers=b:2,c:3')).servers).toBe('a:1,b:2,c:3');
    expect(optionsFromUrl(new URL('memcache://user:secret@a:1')).servers).toBe('user:secret@a:1');
    // The form core's openStore gives a host list: the whole list in `servers`.
    expect(optionsFromUrl(new URL('memcache://a:1/?servers=a:1,b:2')).servers).toBe('a:1,b:2');
    expect(optionsFromUrl('memcache://u:p@a:1,b:2').servers).toBe('u:p@a:1,u:p@b:2');
    expect(optionsFromUrl(new URL('memcache://a:1?restoreOnLoss=false')).restoreOnLoss).toBe(false);
    expect(() => optionsFromUrl(new URL('memcache://a:1?nope=1'))).toThrow(ValidationError);
    expect(() => optionsFromUrl(new URL('memcache://a:1?pollInterval=soon'))).toThrow(
      ValidationError,
    );
    expect(() => optionsFromUrl(new URL('redis://a:1'))).toThrow(ValidationError);

    const prefix = prefixed();
    const store = storeFromUrl(
      new URL(`memcache://${server.servers}?prefix=${encodeURIComponent(prefix)}&pollInterval=123`),
    );
    expect(store.prefix).toBe(prefix);
    expect(store.capabilities).toMatchObject({
      pollIntervalMs: 123,
      push: false,
      multiProcess: true,
      durable: false,
    });
    await store.put(makeFeature({ name: 'via_url' }), 0);
    const keys = await keysWithPrefix(server.host, server.port, `${prefix}index:`, INDEX_SHARDS);
    expect(keys).toContain(`${prefix}index:0`);
    await store.close();
  });
});
