import { CorruptDataError, ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { redisPerFile, uniquePrefix } from './helpers.js';

const redis = redisPerFile();

/** Every key whose name contains `{prefix}`, found with SCAN (MATCH takes the literal braces). */
async function keysOf(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.raw.scan(cursor, 'MATCH', `*{${prefix}}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** The part of a key Redis Cluster hashes: between the first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

const HOSTILE = ['*', '?', '[a]', '__proto__', '{tag}', 'a{b}c', '}{', 'x*', 'x?', 'x[ab]'];

describe('key layout', () => {
  it('hostile names are hash fields: nine fixed keys in all (three of them history, two id sets), every one in the prefix hash slot', async () => {
    const prefix = uniquePrefix('layout');
    const store = new RedisStore({ url: redis.server.url, prefix });
    try {
      for (const name of HOSTILE)
        await store.put(makeFeature({ name, users: [name], excludedUsers: [`${name}!`] }), 0);
      const keys = await keysOf(prefix);
      expect(keys).toEqual([
        `{${prefix}}excluded-users`,
        `{${prefix}}features`,
        `{${prefix}}history`,
        `{${prefix}}history:all`,
        `{${prefix}}history:by-name`,
        `{${prefix}}layout`,
        `{${prefix}}revision`,
        `{${prefix}}users`,
        `{${prefix}}versions`,
      ]);
      expect(new Set(keys.map(hashTag))).toEqual(new Set([prefix]));
      for (const name of HOSTILE) expect((await store.get(name))?.users).toEqual([name]);
      // Glob characters in a name match nothing but that name.
      expect(await store.remove('*')).toBe(true);
      expect(await store.remove('x[ab]')).toBe(true);
      const left = (await store.snapshot()).features.map((f) => f.name).sort();
      expect(left).toEqual(HOSTILE.filter((n) => n !== '*' && n !== 'x[ab]').sort());
      expect(({} as Record<string, unknown>).users).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('stores with overlapping prefixes do not see or touch each other', async () => {
    const base = uniquePrefix('app');
    const a = new RedisStore({ url: redis.server.url, prefix: base });
    const b = new RedisStore({ url: redis.server.url, prefix: `${base}x:` });
    try {
      await a.put(makeFeature({ name: 'shared-name', users: ['a'] }), 0);
      expect(await b.get('shared-name')).toBeUndefined();
      expect((await b.snapshot()).features).toEqual([]);
      await b.put(makeFeature({ name: 'shared-name', users: ['b'] }), 0);
      expect(await b.remove('shared-name')).toBe(true);
      expect((await a.get('shared-name'))?.users).toEqual(['a']);
      expect(await b.revision()).toBe(2);
      expect(await a.revision()).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rejects prefixes that would move the hash tag or hide in redis-cli', () => {
    for (const prefix of ['', 'a{b', 'a}b', 'with space', 'tab\t', 'x'.repeat(101)]) {
      expect(() => new RedisStore({ url: redis.server.url, prefix })).toThrow(ValidationError);
    }
    expect(new RedisStore({ url: redis.server.url }).keys.features).toBe('{rollout:}features');
  });
});

describe('data read back is validated', () => {
  it('a record that is not JSON is a CorruptDataError naming the key and field', async () => {
    const prefix = uniquePrefix('corrupt');
    const store = new RedisStore({ url: redis.server.url, prefix });
    try {
      await store.put(makeFeature({ name: 'fine' }), 0);
      await redis.raw.hset(`{${prefix}}features`, 'broken', '{"name": "broken", ');
      const error = await store.get('broken').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptDataError);
      expect((error as CorruptDataError).location).toBe(`{${prefix}}features field "broken"`);
      expect((error as CorruptDataError).message).toMatch(
        /^\[rollout\] \[redis\] corrupt data at /,
      );
      await expect(store.snapshot()).rejects.toBeInstanceOf(CorruptDataError);
      // The good record is still readable on its own.
      expect((await store.get('fine'))?.name).toBe('fine');
    } finally {
      await store.close();
    }
  });

  it('a record of the wrong shape, or filed under another name, is corrupt', async () => {
    const prefix = uniquePrefix('shape');
    const store = new RedisStore({ url: redis.server.url, prefix });
    try {
      await redis.raw.hset(
        `{${prefix}}features`,
        'pct',
        JSON.stringify({ name: 'pct', percentage: 'lots' }),
      );
      await redis.raw.hset(
        `{${prefix}}features`,
        'moved',
        JSON.stringify(makeFeature({ name: 'other' })),
      );
      await expect(store.get('pct')).rejects.toThrow(/corrupt data at .*"pct".*percentage/);
      // In range for JSON, out of range for a percentage: still corrupt.
      await redis.raw.hset(
        `{${prefix}}features`,
        'big',
        JSON.stringify({ name: 'big', percentage: 900 }),
      );
      await expect(store.get('big')).rejects.toBeInstanceOf(CorruptDataError);
      await expect(store.get('moved')).rejects.toThrow(/holds|named "other"/);
    } finally {
      await store.close();
    }
  });

  it('a revision that is not a number is corrupt', async () => {
    const prefix = uniquePrefix('rev');
    const store = new RedisStore({ url: redis.server.url, prefix });
    try {
      await redis.raw.set(`{${prefix}}revision`, 'eleven');
      const error = await store.revision().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptDataError);
      expect((error as CorruptDataError).location).toBe(`{${prefix}}revision`);
    } finally {
      await store.close();
    }
  });
});
