import { makeFeature } from '@rollout/store-test-suite';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { redisPerFile, uniquePrefix } from './helpers.js';

const redis = redisPerFile();

describe('apply script', () => {
  it('edits a record written with white space and odd numbers, keeping every other value as it was', async () => {
    const store = new RedisStore({ url: redis.server.url, prefix: uniquePrefix('apply') });
    try {
      const feature = {
        ...makeFeature({ name: 'legacy', users: ['b'], data: { x: 0.30000000000000004, e: [] } }),
        version: 3,
      };
      const pretty = JSON.stringify(feature, null, 2).replace(
        '0.30000000000000004',
        '3.0000000000000004e-1',
      );
      await redis.raw.hset(store.keys.features, 'legacy', pretty);
      await redis.raw.hset(store.keys.versions, 'legacy', '3');
      const { changed } = await store.apply('legacy', [
        { op: 'addUsers', users: ['a', 'c"q'] },
        { op: 'exclude', users: ['z'] },
      ]);
      expect(changed).toBe(true);
      const after = await store.get('legacy');
      expect(after).toMatchObject({
        users: ['a', 'b', 'c"q'],
        excludedUsers: ['z'],
        data: { x: 0.30000000000000004, e: [] },
        version: 4,
      });
      const stored = await redis.raw.hget(store.keys.features, 'legacy');
      expect(stored).toContain('3.0000000000000004e-1');
    } finally {
      await store.close();
    }
  });

  it('refuses a list beyond its limit without writing', async () => {
    const store = new RedisStore({ url: redis.server.url, prefix: uniquePrefix('apply') });
    try {
      const groups = Array.from({ length: 600 }, (_, i) => `g${i}`);
      await store.apply('many', [{ op: 'addGroups', groups }], { create: true });
      await expect(
        store.apply('many', [{ op: 'addGroups', groups: groups.map((g) => `${g}x`) }]),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'groups' });
      expect((await store.get('many'))?.groups).toHaveLength(600);
    } finally {
      await store.close();
    }
  });
});
