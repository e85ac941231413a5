import type { FeatureStore, HistoryEntry, HistoryQuery } from '@rollout/core';
import { MemoryFeatureStore } from '@rollout/core/store';
import { type RedisServer, useRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

let server: RedisServer;
beforeAll(async () => {
  server = await useRedis();
});
afterAll(async () => server?.kill());

const NOW = '2026-02-03T04:05:06.000Z';

// The same writes on any store: applies, puts, a remove and a re-creation, two features.
async function writeAll(store: FeatureStore): Promise<void> {
  const apply = store.apply?.bind(store);
  if (!apply) throw new Error('apply expected');
  for (let i = 0; i < 12; i++) {
    await apply('a', [{ op: 'addUsers', users: [`u${i}`, 'shared'] }], { create: true, now: NOW });
    if (i % 3 === 0)
      await apply('b', [{ op: 'exclude', users: [`x${i}`] }], { create: true, now: NOW });
    if (i % 4 === 1) await apply('a', [{ op: 'removeUsers', users: [`u${i - 1}`] }], { now: NOW });
  }
  const a = await store.get('a');
  if (!a) throw new Error('a missing');
  await store.put(
    { ...a, description: 'put', users: ['p1', 'p2', ...a.users.slice(3)] },
    a.version,
  );
  await apply(
    'a',
    [
      { op: 'set', field: 'users', value: ['only'] },
      { op: 'include', users: ['none'] },
    ],
    { now: NOW },
  );
  await store.remove('b');
  await apply('b', [{ op: 'addUsers', users: ['again'] }], { create: true, now: NOW });
  await apply(
    'b',
    [
      { op: 'setPercentage', percentage: 3 },
      { op: 'exclude', users: ['y'] },
    ],
    { now: NOW },
  );
}

// Entries without what differs between stores by nature (revision numbers match: same writes).
function comparable(entries: HistoryEntry[]): unknown[] {
  return entries.map(({ at: _at, ...rest }) => rest);
}

describe('compact history entries', () => {
  it('read back whole, page by page, as the reference store records them, within retention', async () => {
    const historyLimit = 7;
    const reference = new MemoryFeatureStore({ historyLimit });
    const redis = new RedisStore({ url: server.url, prefix: uniquePrefix('delta'), historyLimit });
    try {
      await writeAll(reference);
      await writeAll(redis);
      const queries: HistoryQuery[] = [
        {},
        { limit: 3 },
        { name: 'a' },
        { name: 'a', limit: 2 },
        { name: 'b', limit: 4 },
      ];
      for (const query of queries) {
        let before: number | undefined;
        for (let page = 0; page < 10; page++) {
          const q = before === undefined ? query : { ...query, before };
          const want = await reference.history(q);
          const got = await redis.history(q);
          expect(comparable(got), JSON.stringify(q)).toEqual(comparable(want));
          if (want.length === 0) break;
          before = want[want.length - 1]?.revision;
        }
      }
      // The entries Redis keeps for list edits are compact: no list is stored whole.
      const stored = Object.values(await redisRaw(redis));
      const withDelta = stored.filter((json) => json.includes('"delta"'));
      expect(withDelta.length).toBeGreaterThan(0);
      for (const json of withDelta) expect(json).not.toMatch(/"users":\[/);
    } finally {
      await reference.close();
      await redis.close();
    }
  });
});

// The raw history hash, through the store's own connection settings.
async function redisRaw(store: RedisStore): Promise<Record<string, string>> {
  const { Redis } = await import('ioredis');
  const raw = new Redis(server.url);
  try {
    return await raw.hgetall(store.keys.history);
  } finally {
    await raw.quit();
  }
}
