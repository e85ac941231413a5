import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Explanation, Feature } from '@rollout/core';
import {
  type MemcachedServer,
  type PostgresServer,
  type RedisServer,
  startMemcached,
  startPostgres,
  startRedis,
} from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, rolloutJson, watchRollout } from './run-cli.js';

// Every command, run by the built binary, against each server-backed store (real
// redis-server, PostgreSQL and memcached started for this file) and SQLite files.

let redis: RedisServer;
let postgres: PostgresServer;
let memcached: MemcachedServer;
const dir = mkdtempSync(join(tmpdir(), 'rollout-cli-stores-'));

beforeAll(async () => {
  [redis, postgres, memcached] = await Promise.all([
    startRedis(),
    startPostgres(),
    startMemcached(),
  ]);
});

afterAll(async () => {
  await Promise.all([redis?.kill(), postgres?.kill(), memcached?.kill()]);
  rmSync(dir, { recursive: true, force: true });
});

interface StoreCase {
  name: string;
  /** A store URL for a fresh, empty namespace on the test server. */
  fresh: () => string;
  /** A URL of the same kind, with a password, on a port nothing listens on. */
  unreachable: string;
}

const tag = () => randomUUID().slice(0, 8);
const cases: StoreCase[] = [
  {
    name: 'redis',
    fresh: () => `${redis.url}/0?prefix=cli-${tag()}:`,
    unreachable: 'redis://default:Redis-Secret-1@127.0.0.1:1/0',
  },
  {
    name: 'postgres',
    fresh: () => `${postgres.url}?schema=cli_${tag()}`,
    unreachable: 'postgres://app:Pg-Secret-22@127.0.0.1:1/rollout',
  },
  {
    name: 'memcache',
    fresh: () => `memcache://${memcached.servers}?prefix=cli-${tag()}:`,
    unreachable: 'memcache://app:Mc-Secret-333@127.0.0.1:1',
  },
  {
    // No server: a database file of its own; "unreachable" is a directory that does not exist.
    name: 'sqlite',
    fresh: () => `sqlite://${join(dir, `cli-${tag()}.db`)}`,
    unreachable: 'sqlite:///no/such/dir/flags.db?token=Sq-Secret-4444',
  },
];

describe.each(cases)('every command against $name', (store) => {
  it('add, toggles, set, show, list, explain and remove', async () => {
    const env = { ROLLOUT_STORE: store.fresh() };
    expect(await rolloutJson(['list'], { env })).toEqual([]);
    const add = await rollout(
      ['add', 'chat', '--percentage', '20', '--groups', 'vip', '--data', '{"o":1}'],
      { env },
    );
    expect(add.code, add.stderr).toBe(0);
    for (const args of [
      ['activate-user', 'chat', '1', '2'],
      ['exclude-user', 'chat', '9', '10'],
      ['include-user', 'chat', '10'],
      ['deactivate-user', 'chat', '2'],
      ['activate-group', 'chat', 'beta'],
      ['deactivate-group', 'chat', 'vip'],
      ['activate-percentage', 'chat', '33.3'],
      ['set', 'chat', '--description', 'Live chat', '--data', '{"p":2}', '--merge'],
      ['activate', 'everyone'],
      ['deactivate-percentage', 'chat'],
      ['activate-percentage', 'chat', '40'],
    ]) {
      const run = await rollout(args, { env });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    const chat = await rolloutJson<Feature>(['show', 'chat'], { env });
    expect(chat).toMatchObject({
      description: 'Live chat',
      users: ['1'],
      excludedUsers: ['9'],
      groups: ['beta'],
      percentage: 40,
      data: { o: 1, p: 2 },
    });
    expect((await rolloutJson<Feature[]>(['list'], { env })).map((f) => f.name)).toEqual([
      'chat',
      'everyone',
    ]);
    const reason = async (user: string) =>
      (await rolloutJson<Explanation>(['explain', 'chat', user], { env })).reason;
    expect(await reason('1')).toBe('USER_LISTED');
    expect(await reason('9')).toBe('USER_EXCLUDED');
    expect(await reason('{"id":"x","groups":["beta"]}')).toBe('GROUP');
    await rollout(['deactivate', 'everyone'], { env });
    expect((await rollout(['remove', 'everyone'], { env })).code).toBe(0);
    expect((await rollout(['show', 'everyone'], { env })).code).toBe(3);
    expect((await rolloutJson<Feature[]>(['list'], { env })).map((f) => f.name)).toEqual(['chat']);
  });

  it('export and import (with --dry-run) between this store and a file', async () => {
    const env = { ROLLOUT_STORE: store.fresh() };
    await rollout(['add', 'a', '--percentage', '5'], { env });
    await rollout(['add', 'b', '--users', 'u1,u2'], { env });
    const exported = JSON.parse((await rollout(['export'], { env })).stdout);
    expect(exported.features.map((f: Feature) => f.name)).toEqual(['a', 'b']);
    exported.features[0].percentage = 6;
    exported.features.push({ name: 'c', groups: ['ALL'] });
    const file = join(dir, `${store.name}-${tag()}.json`);
    writeFileSync(file, JSON.stringify(exported));
    const dry = await rolloutJson<{ created: number; updated: number; unchanged: number }>(
      ['import', file, '--dry-run'],
      { env },
    );
    expect(dry).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    expect((await rolloutJson<Feature>(['show', 'a'], { env })).percentage).toBe(5);
    const real = await rolloutJson<{ created: number; updated: number; unchanged: number }>(
      ['import', file],
      { env },
    );
    expect(real).toMatchObject({ created: 1, updated: 1, unchanged: 1 });
    expect((await rolloutJson<Feature>(['show', 'a'], { env })).percentage).toBe(6);
    // And into a file store: the same features.
    const target = { ROLLOUT_STORE: `file:${join(dir, `${store.name}-copy-${tag()}.json`)}` };
    const piped = await rollout(['import', '-'], {
      env: target,
      input: (await rollout(['export'], { env })).stdout,
    });
    expect(piped.code, piped.stderr).toBe(0);
    expect((await rolloutJson<Feature[]>(['list'], { env: target })).map((f) => f.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('concurrent CLI processes lose no write', async () => {
    const env = { ROLLOUT_STORE: store.fresh() };
    await rollout(['add', 'busy'], { env });
    const ids = Array.from({ length: 6 }, (_, i) => `p${i}`);
    const runs = await Promise.all(
      ids.map((id) => rollout(['activate-user', 'busy', id], { env })),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect((await rolloutJson<Feature>(['show', 'busy'], { env })).users).toEqual(ids);
  });

  it('watch prints a change made by another process', async () => {
    const env = { ROLLOUT_STORE: store.fresh() };
    await rollout(['add', 'w'], { env });
    const watch = watchRollout(['watch', 'w', '--json'], { env });
    await watch.until(() => watch.stderr().includes('Ctrl-C to stop'), 'its banner');
    await rollout(['activate-percentage', 'w', '15'], { env });
    await watch.until(() => watch.stdout().includes('"percentage":15'), 'the change');
    const event = JSON.parse(watch.stdout().split('\n')[0] ?? '{}');
    expect(event).toMatchObject({ name: 'w', change: 'updated' });
    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(0);
  });

  it('an unreachable server is an error (exit 1) that never shows the password or a stack', async () => {
    const run = await rollout(['list', '--store', store.unreachable, '--timeout', '20']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).not.toMatch(/Secret/);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
