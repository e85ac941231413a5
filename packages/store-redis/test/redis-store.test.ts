import { ClosedError, isRolloutError, type StoreChange, ValidationError } from '@rollout/core';
import { makeFeature, waitFor } from '@rollout/store-test-suite';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisStore, storeFromUrl } from '../src/index.js';
import { redisPerFile, uniquePrefix } from './helpers.js';

const redis = redisPerFile();

/** Every key under a prefix's hash tag, found with SCAN (the tag holds no glob characters here). */
async function keysOf(prefix: string, db = redis.raw): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await db.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

describe('key layout', () => {
  it('hostile names are hash fields: no clash, no extra keys, no patterns', async () => {
    const prefix = uniquePrefix('hostile');
    const store = new RedisStore({ url: redis.server.url, prefix });
    const names = [
      '*',
      '?',
      '[a]',
      'a',
      '__proto__',
      '{tag}',
      '{',
      '}',
      'a:b',
      'constructor',
      '\\*',
    ];
    try {
      for (const [i, name] of names.entries()) {
        await store.put(makeFeature({ name, percentage: i }), 0);
      }
      for (const [i, name] of names.entries()) {
        expect((await store.get(name))?.percentage).toBe(i);
      }
      const snapshot = await store.snapshot();
      expect(snapshot.features.map((f) => f.name).sort()).toEqual([...names].sort());
      expect(await keysOf(prefix)).toEqual(
        [
          `{${prefix}}features`,
          `{${prefix}}history`,
          `{${prefix}}history:all`,
          `{${prefix}}history:by-name`,
          `{${prefix}}layout`,
          `{${prefix}}revision`,
          `{${prefix}}versions`,
          // No id lists on these features: no id sets (Redis drops an empty sorted set).
        ].sort(),
      );
      // Removing '*' removes exactly '*', not everything a glob would match.
      expect(await store.remove('*')).toBe(true);
      expect(await store.get('*')).toBeUndefined();
      expect((await store.snapshot()).features).toHaveLength(names.length - 1);
      expect(await store.remove('[a]')).toBe(true);
      expect(await store.get('a')).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('prefixes isolate stores, glob characters in a prefix included', async () => {
    const a = new RedisStore({ url: redis.server.url, prefix: `${uniquePrefix('p')}*` });
    const b = new RedisStore({ url: redis.server.url, prefix: uniquePrefix('p') });
    try {
      await a.put(makeFeature({ name: 'shared' }), 0);
      expect(await b.get('shared')).toBeUndefined();
      expect(await b.revision()).toBe(0);
      await b.put(makeFeature({ name: 'shared', percentage: 50 }), 0);
      expect((await a.get('shared'))?.percentage).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('uses rollout: by default and rejects prefixes that would break the hash tag', async () => {
    const store = new RedisStore({ url: redis.server.url });
    expect(store.keys.features).toBe('{rollout:}features');
    await store.close();
    for (const prefix of ['', '{x}', 'a}b', 'a{', 'tab\there', 'x'.repeat(101)]) {
      expect(() => new RedisStore({ url: redis.server.url, prefix })).toThrow(ValidationError);
    }
  });
});

describe('change messages', () => {
  it('carry any valid name exactly: quotes, slashes, backslashes, unicode', async () => {
    const prefix = uniquePrefix('messages');
    const store = new RedisStore({ url: redis.server.url, prefix });
    const names = ['quote " and \\ backslash', 'slash/es', 'ünïcødé ✓ 🚀', '{"json":1}', 'a,b|c'];
    const changes: StoreChange[] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    const unsubscribe = await store.subscribe({
      change: (change) => {
        changes.push(change);
        if (changes.length === names.length + 1) done();
      },
      resync: () => {},
      error: () => {},
    });
    try {
      for (const name of names) await store.put(makeFeature({ name }), 0);
      await store.remove(names[0]!);
      await all;
      expect(changes).toEqual([
        ...names.map((name, i) => ({ revision: i + 1, name, version: 1 })),
        // A remove announces no version.
        { revision: names.length + 1, name: names[0] },
      ]);
    } finally {
      await unsubscribe();
      await store.close();
    }
  });
});

describe('the change feed', () => {
  it("shares one pub/sub connection among a store's subscribers, closed after the last leaves", async () => {
    const store = new RedisStore({ url: redis.server.url, prefix: uniquePrefix('feed') });
    // Connections subscribed to this store's channel, as Redis counts them.
    const connections = async () =>
      ((await redis.raw.call('PUBSUB', 'NUMSUB', store.keys.channel)) as [string, number])[1];
    const seen = { a: [] as string[], b: [] as string[] };
    const listener = (into: string[]) => ({
      change: (change: StoreChange) => into.push(change.name),
      resync: () => {},
      error: () => {},
    });
    try {
      const offA = await store.subscribe(listener(seen.a));
      const offB = await store.subscribe(listener(seen.b));
      expect(await connections()).toBe(1);
      await store.put(makeFeature({ name: 'both' }), 0);
      await waitFor('both listeners to see it', () => seen.a.length + seen.b.length === 2);
      await offA();
      await store.put(makeFeature({ name: 'only-b' }), 0);
      await waitFor('b to see the second change', () => seen.b.length === 2);
      expect(seen).toEqual({ a: ['both'], b: ['both', 'only-b'] });
      expect(await connections()).toBe(1);
      await offB();
      await waitFor('the connection to close', async () => (await connections()) === 0);
      // The next subscriber opens a new one.
      const offC = await store.subscribe(listener(seen.a));
      expect(await connections()).toBe(1);
      await offC();
    } finally {
      await store.close();
    }
  });
});

describe('a dropped pub/sub connection', () => {
  it('reports error once, reconnects by itself, resubscribes, then asks for a resync', async () => {
    const prefix = uniquePrefix('dropped');
    const store = new RedisStore({ url: redis.server.url, prefix });
    const events: string[] = [];
    let resynced: () => void = () => {};
    const resync = new Promise<void>((resolve) => {
      resynced = resolve;
    });
    let delivered: () => void = () => {};
    const change = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const unsubscribe = await store.subscribe({
      change: (c) => {
        events.push(`change ${c.name}`);
        delivered();
      },
      resync: () => {
        events.push('resync');
        resynced();
      },
      error: (error) => events.push(`error ${error.code}`),
    });
    try {
      // Redis drops every pub/sub connection; the command connection stays up.
      await redis.raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await resync;
      expect(events).toEqual(['error STORE_UNAVAILABLE', 'resync']);
      // Subscribed again before the resync was asked for: the next write arrives.
      await store.put(makeFeature({ name: 'after' }), 0);
      await change;
      expect(events).toEqual(['error STORE_UNAVAILABLE', 'resync', 'change after']);
    } finally {
      await unsubscribe();
      await store.close();
    }
  });
});

describe('reading back', () => {
  it('runs its scripts again after the script cache is flushed (EVALSHA falls back to EVAL)', async () => {
    const store = new RedisStore({ url: redis.server.url, prefix: uniquePrefix('noscript') });
    try {
      await store.put(makeFeature({ name: 'one' }), 0);
      await redis.raw.script('FLUSH');
      await store.put(makeFeature({ name: 'two' }), 0);
      expect((await store.snapshot()).features).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
});

describe('an application-owned client', () => {
  it('works through it, subscribes on its own connection, and leaves it open on close', async () => {
    const client = new Redis(redis.server.url);
    const prefix = uniquePrefix('owned');
    const store = new RedisStore({ client, prefix });
    const writer = new RedisStore({ url: redis.server.url, prefix });
    try {
      const changes: StoreChange[] = [];
      let notify: () => void = () => {};
      const arrived = new Promise<void>((resolve) => {
        notify = resolve;
      });
      const unsubscribe = await store.subscribe({
        change: (change) => {
          changes.push(change);
          notify();
        },
        resync: () => {},
        error: () => {},
      });
      await writer.put(makeFeature({ name: 'from-elsewhere' }), 0);
      await arrived;
      expect(changes).toEqual([{ revision: 1, name: 'from-elsewhere', version: 1 }]);
      expect((await store.get('from-elsewhere'))?.version).toBe(1);
      await unsubscribe();
      await store.close();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      const closed = await store.get('x').catch((e: unknown) => e);
      expect(closed).toBeInstanceOf(ClosedError);
      expect(isRolloutError(closed, 'CLOSED')).toBe(true);
    } finally {
      await writer.close();
      await client.quit();
    }
  });

  it('needs url or client, not both, and only redis URLs', () => {
    expect(() => new RedisStore({})).toThrow(ValidationError);
    expect(() => new RedisStore({ url: 'http://127.0.0.1:6379' })).toThrow(ValidationError);
    // A password never ends up in an error message.
    expect(() => new RedisStore({ url: 'http://user:s3cret@127.0.0.1:6379' })).toThrow(
      /user:\*\*\*@/,
    );
    expect(() => storeFromUrl(new URL('memcache://user:s3cret@127.0.0.1'))).toThrow(
      /^(?!.*s3cret).*memcache:\/\/user:\*\*\*@/,
    );
    expect(
      () => new RedisStore({ url: redis.server.url, client: new Redis({ lazyConnect: true }) }),
    ).toThrow(ValidationError);
  });
});

describe('storeFromUrl', () => {
  it('reads and strips prefix, keeps the database and the rest for ioredis', async () => {
    const prefix = uniquePrefix('url');
    const url = new URL(`${redis.server.url}/3?prefix=${encodeURIComponent(prefix)}`);
    const store = storeFromUrl(url);
    try {
      expect(store.keys.features).toBe(`{${prefix}}features`);
      await store.put(makeFeature({ name: 'in-db-3' }), 0);
      const db3 = new Redis(`${redis.server.url}/3`);
      try {
        expect(await db3.hexists(`{${prefix}}features`, 'in-db-3')).toBe(1);
        expect(await redis.raw.exists(`{${prefix}}features`)).toBe(0);
      } finally {
        await db3.quit();
      }
    } finally {
      await store.close();
    }
    // The URL object the caller passed is left alone.
    expect(url.searchParams.get('prefix')).toBe(prefix);
  });

  it('rejects other schemes and takes rediss:// (TLS)', async () => {
    expect(() => storeFromUrl(new URL('postgres://127.0.0.1/x'))).toThrow(
      expect.objectContaining({ code: 'INVALID_STORE_URL' }),
    );
    const tls = storeFromUrl(new URL('rediss://127.0.0.1:1?prefix=tls:'));
    expect(tls).toBeInstanceOf(RedisStore);
    expect(tls.keys.features).toBe('{tls:}features');
    await tls.close();
  });
});
