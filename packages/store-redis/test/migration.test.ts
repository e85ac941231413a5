import { CorruptDataError, type Feature, Rollout } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { putLayout1 } from './fixtures/layout-1.js';
import { redisPerFile, uniquePrefix } from './helpers.js';

const redis = redisPerFile();

// A feature with every field, written by layout 1 and then edited there once.
function legacy(name: string, users: string[]): Feature {
  return {
    ...makeFeature({
      name,
      users,
      excludedUsers: ['banned', 'x"y'],
      groups: ['vip'],
      percentage: 12.5,
      data: { pi: Math.PI, big: 1234567890123456, e: [] },
    }),
    version: 0,
  };
}

describe('data written by layout 1', () => {
  it('is migrated on first use: same records, history and revision, ids moved into the sets', async () => {
    const prefix = uniquePrefix('legacy');
    const users = Array.from({ length: 3000 }, (_, i) => `u${i}`);
    const first = legacy('big', users);
    await putLayout1(redis.raw, prefix, first, 0);
    await putLayout1(redis.raw, prefix, { ...first, users: [...users, 'zz'] }, 1);
    await putLayout1(redis.raw, prefix, { ...legacy('small', ['1', '2']), description: 'd' }, 0);
    expect(await redis.raw.exists(`{${prefix}}layout`)).toBe(0);
    const revision = Number(await redis.raw.get(`{${prefix}}revision`));

    const store = new RedisStore({ url: redis.server.url, prefix });
    try {
      const big = await store.get('big');
      expect(big?.users).toEqual([...users, 'zz'].sort());
      expect(big?.excludedUsers).toEqual(['banned', 'x"y']);
      expect(big?.data).toEqual({ pi: Math.PI, big: 1234567890123456, e: [] });
      expect(big?.version).toBe(2);
      expect(await redis.raw.get(`{${prefix}}layout`)).toBe('2');
      expect(await redis.raw.zcard(`{${prefix}}users`)).toBe(users.length + 1 + 2);
      expect(await redis.raw.hget(store.keys.features, 'big')).not.toContain('u1');
      expect(await store.revision()).toBe(revision);
      const snapshot = await store.snapshot();
      expect(snapshot.features.find((f) => f.name === 'small')?.users).toEqual(['1', '2']);

      // Layout 1's entries (whole records) are read as they were; new ones are compact.
      await store.apply('big', [{ op: 'addUsers', users: ['new'] }]);
      const history = await store.history({ name: 'big' });
      expect(history.map((e) => [e.version, e.action])).toEqual([
        [3, 'update'],
        [2, 'update'],
        [1, 'add'],
      ]);
      expect(history[0]?.previous).toEqual(big);
      expect(history[0]?.feature).toEqual(await store.get('big'));
      expect(history[1]?.feature).toEqual(big);
      expect(history[1]?.previous?.users).toEqual([...users].sort());
      expect(history[2]?.previous).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('two processes opening it at once both see it whole (the migration is one script)', async () => {
    const prefix = uniquePrefix('race');
    for (let i = 0; i < 20; i++)
      await putLayout1(redis.raw, prefix, legacy(`f${i}`, [`a${i}`, 'b']), 0);
    const stores = [0, 1, 2].map(() => new RedisStore({ url: redis.server.url, prefix }));
    try {
      const snapshots = await Promise.all(stores.map((s) => s.snapshot()));
      for (const snap of snapshots) {
        expect(snap.features).toHaveLength(20);
        for (const f of snap.features) expect(f.users).toEqual([`a${f.name.slice(1)}`, 'b'].sort());
      }
      expect(await redis.raw.zcard(`{${prefix}}users`)).toBe(40);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a client on migrated data keeps working: writes, lists, push', async () => {
    const prefix = uniquePrefix('client');
    await putLayout1(redis.raw, prefix, legacy('f', ['1']), 0);
    const store = new RedisStore({ url: redis.server.url, prefix });
    const rollout = new Rollout({ store });
    try {
      await rollout.ready();
      expect(rollout.can({ id: 1 }, 'f')).toBe(true);
      const written = await rollout.activateUser('f', 2);
      expect(written).toEqual(await store.get('f'));
      expect(rollout.can({ id: 2 }, 'f')).toBe(true);
    } finally {
      await rollout.close();
    }
  });

  it('a document written by layout 1 after the migration (an old process) is reported, not served without its lists', async () => {
    const prefix = uniquePrefix('mixed');
    const store = new RedisStore({ url: redis.server.url, prefix });
    try {
      await store.put(makeFeature({ name: 'new' }), 0);
      await putLayout1(redis.raw, prefix, legacy('old', ['1']), 0);
      const error = await store.get('old').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptDataError);
      expect((error as Error).message).toMatch(/older than layout|upgrade every process/);
    } finally {
      await store.close();
    }
  });
});
