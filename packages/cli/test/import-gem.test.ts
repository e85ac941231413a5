import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { type Feature, Rollout } from '@rollout/core';
import { FileStore } from '@rollout/store-file';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, rolloutJson } from './run-cli.js';

// The gem's data, laid out exactly as rollout (Ruby) writes it: feature:__features__
// is a comma-separated string of names, feature:<name> is "percentage|users|groups|data".
// Older gems wrote fewer fields; a listed feature may have no key at all.
const GEM_FEATURES: Record<string, string | null> = {
  chat: '20.0|1,2,3,alice|vip|{"owner":"team|chat","n":1}',
  new_checkout: '37.5|||',
  tiny: '0.1||',
  everyone: '0.0||all|{}',
  half: '50',
  listed: '0|42,bob',
  legacy_int: '25|7,8|beta',
  full: '100.0|||{}',
  fraction: '12.345|||',
  ghost: null,
};

/** What the gem knows about one feature, parsed independently of the CLI. */
interface GemTruth {
  percentage: number;
  users: string[];
  groups: string[];
}

function truth(raw: string | null): GemTruth {
  const [p = '', users = '', groups = ''] = (raw ?? '').split('|');
  return {
    percentage: Number.parseFloat(p) || 0,
    users: users.split(',').filter(Boolean),
    groups: groups.split(',').filter(Boolean),
  };
}

// The gem's formulas, written out here independently of @rollout/core's gem hashes.
const RAND_BASE = (2 ** 32 - 1) / 100.0;
const crc = (text: string) => zlib.crc32(text) >>> 0;

/** Rollout::Feature#active?(rollout, user) with only the built-in group :all defined. */
function gemActive(
  name: string,
  t: GemTruth,
  id: string,
  bucketing: 'default' | 'randomize' | 'modulo',
): boolean {
  const inPercentage =
    bucketing === 'modulo'
      ? crc(id) % 100 < Math.trunc(t.percentage) // gem 2.0 - 2.2 read the percentage with to_i
      : crc(bucketing === 'randomize' ? id + name : id) < RAND_BASE * t.percentage;
  return inPercentage || t.users.includes(id) || t.groups.includes('all');
}

let server: RedisServer;
let redis: Redis;
const dir = mkdtempSync(join(tmpdir(), 'rollout-gem-'));

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  // db 0 under a redis-namespace prefix; db 1 without one.
  for (const [db, prefix] of [
    [0, 'gemapp:'],
    [1, ''],
  ] as const) {
    await redis.select(db);
    await redis.set(`${prefix}feature:__features__`, Object.keys(GEM_FEATURES).join(','));
    for (const [name, raw] of Object.entries(GEM_FEATURES)) {
      if (raw !== null) await redis.set(`${prefix}feature:${name}`, raw);
    }
  }
  await redis.select(0);
});

afterAll(async () => {
  await redis?.quit();
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function membershipMatches(path: string, bucketing: 'default' | 'randomize' | 'modulo') {
  const client = new Rollout({ store: new FileStore({ path }) });
  await client.ready();
  try {
    let checked = 0;
    let on = 0;
    for (const [name, raw] of Object.entries(GEM_FEATURES)) {
      const t = truth(raw);
      for (let i = 0; i < 10_000; i++) {
        // Numeric ids (as the gem's user.id) and string ids.
        for (const id of [i, `user-${i}`]) {
          const expected = gemActive(name, t, String(id), bucketing);
          const actual = client.can({ id }, name);
          if (actual !== expected) {
            throw new Error(
              `${name} / id ${JSON.stringify(id)}: the gem says ${expected}, rollout says ${actual}`,
            );
          }
          checked++;
          if (actual) on++;
        }
      }
    }
    return { checked, on };
  } finally {
    await client.close();
  }
}

describe('rollout import-gem', () => {
  it('migrates the gem data; the same users are in each percentage for 10,000 ids (gem 2.4.6)', async () => {
    const path = join(dir, 'default.json');
    const from = `${server.url}/0?prefix=gemapp:`;
    const dry = await rollout([
      'import-gem',
      '--from',
      from,
      '--gem-version',
      '2.4.6',
      '--store',
      `file:${path}`,
      '--dry-run',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+ would create  chat');
    expect(dry.stdout).toContain(
      `dry run, nothing written: ${Object.keys(GEM_FEATURES).length} created`,
    );
    expect((await rolloutJson<Feature[]>(['list', '--store', `file:${path}`])).length).toBe(0);

    const run = await rollout([
      'import-gem',
      '--from',
      from,
      '--gem-version',
      '2.4.6',
      '--store',
      `file:${path}`,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      created: 10,
      updated: 0,
      unchanged: 0,
      failed: 0,
      hashVersion: 2,
    });
    expect(run.stderr).toContain('ghost: listed in feature:__features__ but has no record');
    expect(run.stderr).toContain('groups beta, vip were defined in Ruby code');

    const features = await rolloutJson<Feature[]>(['list', '--store', `file:${path}`]);
    const chat = features.find((f) => f.name === 'chat');
    expect(chat).toMatchObject({
      percentage: 20,
      users: ['1', '2', '3', 'alice'],
      groups: ['vip'],
      data: { owner: 'team|chat', n: 1 },
      hashVersion: 2,
    });
    expect(features.find((f) => f.name === 'everyone')?.groups).toEqual(['ALL']);
    expect(features.find((f) => f.name === 'legacy_int')).toMatchObject({
      percentage: 25,
      users: ['7', '8'],
    });
    expect(features.find((f) => f.name === 'fraction')?.percentage).toBe(12.345);

    const { checked, on } = await membershipMatches(path, 'default');
    expect(checked).toBe(200_000);
    // The comparison is not vacuous: plenty of users are in, plenty are out.
    expect(on).toBeGreaterThan(30_000);
    expect(on).toBeLessThan(170_000);

    const again = await rolloutJson<{ created: number; unchanged: number }>([
      'import-gem',
      '--from',
      from,
      '--gem-version',
      '2.4.6',
      '--store',
      `file:${path}`,
    ]);
    expect(again).toMatchObject({ created: 0, unchanged: 10 });
  });

  it('--randomize-percentage reproduces the gem with randomize_percentage: true', async () => {
    const path = join(dir, 'randomized.json');
    const report = await rolloutJson<{ created: number; hashVersion: number }>([
      'import-gem',
      '--from',
      `${server.url}/1`,
      '--gem-version',
      '2.4.6',
      '--randomize-percentage',
      '--store',
      `file:${path}`,
    ]);
    expect(report).toMatchObject({ created: 10, hashVersion: 3 });
    await membershipMatches(path, 'randomize');
  });

  it('--bucketing modulo reproduces gem 2.0 - 2.2 (crc32 % 100, percentage read with to_i)', async () => {
    const path = join(dir, 'modulo.json');
    const report = await rolloutJson<{ created: number; hashVersion: number }>([
      'import-gem',
      '--from',
      `${server.url}/1`,
      '--bucketing',
      'modulo',
      '--store',
      `file:${path}`,
    ]);
    expect(report).toMatchObject({ created: 10, hashVersion: 4 });
    await membershipMatches(path, 'modulo');
  });

  it('a broken record fails alone (exit 1); a set as the list, an empty db and bad options are clear errors', async () => {
    await redis.select(2);
    await redis.set('feature:__features__', 'good,bad');
    await redis.set('feature:good', '10|||');
    await redis.set('feature:bad', '10|||{not json');
    const path = join(dir, 'broken.json');
    const run = await rollout([
      'import-gem',
      '--from',
      `${server.url}/2`,
      '--gem-version',
      '2.6.0',
      '--store',
      `file:${path}`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed\s+bad: the data field is not valid JSON/);
    expect(run.stdout).toContain('1 created, 0 updated, 0 unchanged, 1 failed');
    expect(
      (await rolloutJson<Feature[]>(['list', '--store', `file:${path}`])).map((f) => f.name),
    ).toEqual(['good']);

    await redis.select(3);
    await redis.sadd('feature:__features__', 'old');
    const legacy = await rollout([
      'import-gem',
      '--from',
      `${server.url}/3`,
      '--store',
      `file:${path}`,
    ]);
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).toContain(
      `"feature:__features__" is a Redis set, not the gem's feature list`,
    );

    const empty = await rollout([
      'import-gem',
      '--from',
      `${server.url}/4`,
      '--store',
      `file:${path}`,
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('found no rollout gem features in redis://127.0.0.1:');
    expect(empty.stderr).toContain('neither "feature:__features__" (gem 2.x) nor feature:NAME:');

    const noFrom = await rollout(['import-gem', '--store', `file:${path}`]);
    expect(noFrom.code).toBe(2);
    const badKind = await rollout([
      'import-gem',
      '--from',
      server.url,
      '--bucketing',
      'crc64',
      '--store',
      `file:${path}`,
    ]);
    expect(badKind.code).toBe(2);
    const notRedis = await rollout([
      'import-gem',
      '--from',
      'postgres://u:pw@h/db',
      '--store',
      `file:${path}`,
    ]);
    expect(notRedis.code).toBe(2);
  });

  it('never prints the password of the gem Redis URL', async () => {
    const withPassword = server.url.replace('redis://', 'redis://default:NotThePassword77@');
    const run = await rollout([
      'import-gem',
      '--from',
      withPassword,
      '--store',
      `file:${join(dir, 'pw.json')}`,
      '--debug',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('***');
    expect(run.stderr + run.stdout).not.toContain('NotThePassword77');
  });
});
