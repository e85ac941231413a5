import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFeature } from '@rollout/store-test-suite';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';
import { storesClosedAfterEach, tempFiles } from './helpers.js';

const { dir, file } = tempFiles('files');
const store = storesClosedAfterEach();

// Runs `code` (an ES module body) in a child node process; resolves with its stdout.
function child(code: string): { done: Promise<string>; ready: Promise<void> } {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready')) markReady();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const done = new Promise<string>((resolve, reject) =>
    proc.on('exit', (status) =>
      status === 0 ? resolve(out) : reject(new Error(`child exited ${status}: ${err}`)),
    ),
  );
  return { done, ready };
}

describe('the database file', () => {
  it('is one file in WAL mode with its five tables, created on first use', async () => {
    const path = file();
    await store(path).put(makeFeature({ name: 'a' }), 0);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => (r as { name: string }).name);
      expect(tables).toEqual([
        'rollout_features',
        'rollout_features_changes',
        'rollout_features_history',
        'rollout_features_revision',
        'rollout_features_schema_versions',
      ]);
    } finally {
      db.close();
    }
  });

  it('keeps the data across close and reopen, and every write in the change log', async () => {
    const path = file();
    const first = store(path);
    const v1 = await first.put(makeFeature({ name: 'kept', users: ['1'] }), 0);
    await first.put({ ...v1, users: ['1', '2'] }, 1);
    await first.put(makeFeature({ name: 'gone' }), 0);
    await first.remove('gone');
    await first.close();
    const again = store(path);
    expect((await again.get('kept'))?.users).toEqual(['1', '2']);
    expect(await again.revision()).toBe(4);
    const db = new Database(path, { readonly: true });
    try {
      const log = db.prepare('SELECT revision, name, version FROM rollout_features_changes').all();
      expect(log).toEqual([
        { revision: 1, name: 'kept', version: 1 },
        { revision: 2, name: 'kept', version: 2 },
        { revision: 3, name: 'gone', version: 1 },
        { revision: 4, name: 'gone', version: null },
      ]);
    } finally {
      db.close();
    }
  });

  it('bounds the change log by changeLogSize', async () => {
    const path = file();
    const s = store(path, { changeLogSize: 3 });
    for (let i = 0; i < 10; i++) await s.put(makeFeature({ name: `f${i}` }), 0);
    const db = new Database(path, { readonly: true });
    try {
      const revisions = db.prepare('SELECT revision FROM rollout_features_changes').pluck().all();
      expect(revisions).toEqual([8, 9, 10]);
    } finally {
      db.close();
    }
  });

  it('keeps two tables in one file apart', async () => {
    const path = file();
    await store(path, { table: 'one' }).put(makeFeature({ name: 'x' }), 0);
    expect(await store(path, { table: 'two' }).get('x')).toBeUndefined();
    expect(await store(path, { table: 'two' }).revision()).toBe(0);
  });

  it('reports a row that does not decode as CorruptDataError naming the file and row', async () => {
    const path = file();
    const s = store(path);
    await s.put(makeFeature({ name: 'bad' }), 0);
    const db = new Database(path);
    db.prepare("UPDATE rollout_features SET document = '{not json' WHERE name = 'bad'").run();
    db.close();
    await expect(s.get('bad')).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      message: expect.stringContaining(`${path} table "rollout_features" row name="bad"`),
    });
    await expect(s.snapshot()).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
  });

  it('reports a file that is not a database as CorruptDataError', async () => {
    const path = join(dir, 'not-a-db.db');
    writeFileSync(path, 'this is not a database, it is a long enough text file '.repeat(40));
    await expect(store(path).connect()).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
  });

  it('reports a missing directory as a store error, and does not create it', async () => {
    const s = store(join(dir, 'no', 'such', 'dir', 'x.db'));
    await expect(s.connect()).rejects.toMatchObject({
      code: expect.stringMatching(/^STORE_/),
      message: expect.stringContaining('[rollout] [sqlite] opening the database'),
    });
  });

  it('rejects options that are not a file path', () => {
    expect(() => new SqliteStore({ path: '' })).toThrow(/path/);
    expect(() => new SqliteStore({ path: ':memory:' })).toThrow(/file path/);
    expect(() => new SqliteStore({ path: 'x.db', table: 'a"b' })).toThrow(/table/);
    expect(() => new SqliteStore({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
  });
});

describe('several OS processes on one file', () => {
  const dist = new URL('../dist/index.js', import.meta.url).href;

  it('a write waiting on another process past busyTimeoutMs fails as unavailable, writing nothing', async () => {
    const path = file();
    const s = store(path, { busyTimeoutMs: 100 });
    await s.put(makeFeature({ name: 'locked' }), 0);
    // Another process takes the write lock and holds it for a second.
    const holder = child(`
      import Database from 'better-sqlite3';
      const db = new Database(${JSON.stringify(path)});
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('ready');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1000);
    `);
    await holder.ready;
    await expect(s.remove('locked')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('SQLITE_BUSY'),
    });
    // Readers are not blocked by the writer (WAL).
    expect((await s.get('locked'))?.version).toBe(1);
    await holder.done;
    expect(await s.remove('locked')).toBe(true);
  });

  it("a client in this process sees another process's write by polling the revision row", async () => {
    const path = file();
    const { Rollout } = await import('@rollout/core');
    const reader = new Rollout({ store: store(path, { pollIntervalMs: 20 }), closeStore: false });
    await reader.ready();
    const writer = child(`
      import { Rollout } from '@rollout/core';
      import { SqliteStore } from ${JSON.stringify(dist)};
      const rollout = new Rollout({ store: new SqliteStore({ path: ${JSON.stringify(path)} }) });
      await rollout.activateUser('late', 7);
      await rollout.close();
    `);
    await writer.done;
    const deadline = Date.now() + 10_000;
    while (!reader.can({ id: 7 }, 'late') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(reader.can({ id: 7 }, 'late')).toBe(true);
    await reader.close();
  });

  it('eight processes racing compare-and-set on one feature: exactly one write per version', async () => {
    const path = file();
    const s = store(path);
    await s.put(makeFeature({ name: 'race' }), 0);
    const startAt = Date.now() + 1000;
    const racers = Array.from({ length: 8 }, (_, p) =>
      child(`
        import { SqliteStore } from ${JSON.stringify(dist)};
        const store = new SqliteStore({ path: ${JSON.stringify(path)}, busyTimeoutMs: 10000 });
        await store.connect();
        await new Promise((r) => setTimeout(r, ${startAt} - Date.now()));
        let won = 0, lost = 0;
        for (let i = 0; i < 25; i++) {
          const f = await store.get('race');
          try { await store.put({ ...f, users: [...f.users, 'p${p}-' + i] }, f.version); won++; }
          catch (e) { if (e.code !== 'VERSION_CONFLICT') throw e; lost++; }
        }
        await store.close();
        process.stdout.write(JSON.stringify({ won, lost }));
      `),
    );
    const results = (await Promise.all(racers.map((r) => r.done))).map(
      (out) => JSON.parse(out) as { won: number; lost: number },
    );
    const won = results.reduce((sum, r) => sum + r.won, 0);
    const stored = await s.get('race');
    expect(stored?.version).toBe(1 + won);
    expect(stored?.users).toHaveLength(won);
    expect(new Set(stored?.users).size).toBe(won);
    expect(await s.revision()).toBe(1 + won);
  }, 60_000);
});
