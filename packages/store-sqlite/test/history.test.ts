import { CorruptDataError, ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';
import { SCHEMA_VERSION } from '../src/migrations.js';
import { storesClosedAfterEach, tempFiles } from './helpers.js';

const { file } = tempFiles('history');
const store = storesClosedAfterEach();

// The tables exactly as @rollout/store-sqlite 0.1.0 created them (no history, no versions).
function writeVersion010File(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE "rollout_features" (
      name TEXT PRIMARY KEY NOT NULL, document TEXT NOT NULL,
      version INTEGER NOT NULL CHECK (version > 0)
    ) WITHOUT ROWID;
    CREATE TABLE "rollout_features_revision" (
      id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL
    );
    INSERT INTO "rollout_features_revision" (id, revision) VALUES (1, 7);
    CREATE TABLE "rollout_features_changes" (
      revision INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, version INTEGER, at TEXT NOT NULL
    );
    INSERT INTO "rollout_features" (name, document, version)
      VALUES ('old', '{"percentage":30,"users":["u1"],"groups":[]}', 3);`);
  db.close();
}

function schemaVersions(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare('SELECT version FROM "rollout_features_schema_versions" ORDER BY version')
      .all()
      .map((row) => (row as { version: number }).version);
  } finally {
    db.close();
  }
}

describe('history on a SQLite file', () => {
  it('migrates a 0.1.0 file on open: data and revision kept, history from then on', async () => {
    const path = file();
    writeVersion010File(path);
    const s = store(path);
    const old = await s.get('old');
    expect(old).toMatchObject({ name: 'old', version: 3, percentage: 30, users: ['u1'] });
    expect(await s.revision()).toBe(7);
    expect(await s.history()).toEqual([]);
    expect(schemaVersions(path)).toEqual([1, 2]);
    expect(SCHEMA_VERSION).toBe(2);
    await s.put({ ...(old as NonNullable<typeof old>), percentage: 60 }, 3, { actor: 'ops' });
    const [entry] = await s.history({ name: 'old' });
    expect(entry).toMatchObject({ revision: 8, version: 4, action: 'update', actor: 'ops' });
    expect(entry?.previous).toMatchObject({ version: 3, percentage: 30 });
    expect(entry?.feature).toMatchObject({ version: 4, percentage: 60 });
  });

  it('opening a file at the current schema version again changes nothing', async () => {
    const path = file();
    await store(path).put(makeFeature({ name: 'a' }), 0);
    await store(path).connect();
    expect(schemaVersions(path)).toEqual([1, 2]);
    expect((await store(path).history()).map((e) => e.name)).toEqual(['a']);
  });

  it('keeps history across close and reopen, and another instance on the file reads it', async () => {
    const path = file();
    const first = store(path, { table: 'flags' });
    const v1 = await first.put(makeFeature({ name: 'x' }), 0, { note: 'first' });
    await first.remove('x', v1.version, { actor: 'cleanup' });
    await first.close();
    const entries = await store(path, { table: 'flags' }).history({ name: 'x' });
    expect(entries.map((e) => [e.action, e.version, e.actor, e.note])).toEqual([
      ['remove', 2, 'cleanup', undefined],
      ['add', 1, undefined, 'first'],
    ]);
    // Another table in the same file has its own history.
    expect(await store(path).history()).toEqual([]);
  });

  it('checks historyLimit', () => {
    expect(() => new SqliteStore({ path: file(), historyLimit: 0 })).toThrow(ValidationError);
    expect(() => new SqliteStore({ path: file(), historyLimit: 1.5 })).toThrow(ValidationError);
  });

  it('reports a history row that does not decode as CorruptDataError naming the revision', async () => {
    const path = file();
    const s = store(path);
    await s.put(makeFeature({ name: 'bad' }), 0);
    const db = new Database(path);
    db.prepare('UPDATE "rollout_features_history" SET feature = ? WHERE name = ?').run('{', 'bad');
    db.close();
    const error = await s.history().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect(String((error as Error).message)).toContain('"rollout_features_history" revision 1');
  });
});
