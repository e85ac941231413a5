import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StoreError, ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK, MIGRATIONS, PostgresStore, SCHEMA_VERSION } from '../src/index.js';
import { tableNames } from '../src/layout.js';
import { type Migration, migrate } from '../src/migrations.js';
import { freshSchema, psqlBinary } from './helpers.js';

const run = promisify(execFile);
// Every shipped file, in order, as a DBA applies them.
const SQL_FILES = MIGRATIONS.map((m) =>
  fileURLToPath(new URL(`../sql/${m.name}.sql`, import.meta.url)),
);
const ALL_VERSIONS = MIGRATIONS.map((m) => m.version);

let server: PostgresServer;
let admin: pg.Pool;
beforeAll(async () => {
  server = await usePostgres();
  admin = new pg.Pool({ connectionString: server.url, max: 2 });
  // The server's shutdown at the end reaches idle connections as an error event.
  admin.on('error', () => undefined);
});
afterAll(async () => {
  await admin?.end();
  await server?.kill();
});

/** Columns of the store's three tables in `schema`, comparable between schemas. */
async function layout(schema: string, table = 'rollout_features'): Promise<unknown[]> {
  const result = await admin.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  return result.rows.map((row) => ({
    ...row,
    table_name: String(row.table_name).replace(table, '<t>'),
  }));
}

async function versions(schema: string, table = 'rollout_features'): Promise<number[]> {
  const result = await admin.query(
    `SELECT version FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(`${table}_schema_versions`)} ORDER BY version`,
  );
  return result.rows.map((row) => row.version as number);
}

describe('migrations', () => {
  it('several stores starting at once on one schema migrate it once, without errors', async () => {
    // Without the advisory lock, concurrent CREATE SCHEMA / CREATE TABLE IF NOT EXISTS
    // race on the catalogs' unique indexes; repeat to give a race every chance.
    for (let round = 0; round < 3; round++) {
      const schema = freshSchema('race');
      const stores = Array.from(
        { length: 8 },
        () => new PostgresStore({ connectionString: server.url, schema, poolSize: 1 }),
      );
      try {
        await Promise.all(stores.map((s) => s.connect()));
        expect(await versions(schema)).toEqual(ALL_VERSIONS);
        // Every store works on the same tables: one write, seen by all.
        await stores[0]?.put(makeFeature({ name: 'shared' }), 0);
        for (const s of stores) expect((await s.get('shared'))?.version).toBe(1);
        expect(await stores[7]?.revision()).toBe(1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }
  });

  it('records the schema version and is idempotent across restarts', async () => {
    const schema = freshSchema();
    const first = new PostgresStore({ connectionString: server.url, schema });
    await first.connect();
    await first.put(makeFeature({ name: 'kept' }), 0);
    await first.close();
    const second = new PostgresStore({ connectionString: server.url, schema });
    try {
      await second.connect();
      expect(await versions(schema)).toEqual(ALL_VERSIONS);
      expect((await second.get('kept'))?.version).toBe(1);
      expect(await second.revision()).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('with migrate: false it creates nothing and names the file to apply', async () => {
    const schema = freshSchema();
    const store = new PostgresStore({ connectionString: server.url, schema, migrate: false });
    try {
      const error = await store.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/^\[rollout\] \[postgres\] .*sql\/001-init\.sql/);
      await expect(store.get('x')).rejects.toBeInstanceOf(StoreError);
      const found = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      expect(found.rowCount).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('the shipped SQL file, applied with psql, gives the same tables the store creates', async () => {
    const byDba = freshSchema('dba');
    const byStore = freshSchema('self');
    // What a DBA runs; twice, to show it is idempotent.
    for (const file of [...SQL_FILES, ...SQL_FILES]) {
      await run(psqlBinary(), [
        server.url,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-v',
        `schema=${byDba}`,
        '-v',
        'table=flags',
        '-f',
        file,
      ]);
    }
    const self = new PostgresStore({
      connectionString: server.url,
      schema: byStore,
      table: 'flags',
    });
    await self.connect();
    await self.close();
    expect(await layout(byDba, 'flags')).toEqual(await layout(byStore, 'flags'));
    expect((await layout(byDba, 'flags')).length).toBeGreaterThan(0);
    expect(await versions(byDba, 'flags')).toEqual(ALL_VERSIONS);

    const store = new PostgresStore({
      connectionString: server.url,
      schema: byDba,
      table: 'flags',
      migrate: false,
    });
    try {
      const stored = await store.put(makeFeature({ name: 'by-dba' }), 0);
      expect(stored.version).toBe(1);
      expect((await store.snapshot()).revision).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('every file takes the same advisory lock the store does', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of SQL_FILES) {
      const text = await readFile(file, 'utf8');
      expect(text).toContain(`pg_advisory_xact_lock(${MIGRATION_LOCK[0]}, ${MIGRATION_LOCK[1]})`);
    }
  });

  it('once migrated, a role without DDL rights can use the store', async () => {
    const schema = freshSchema();
    const role = `app_${schema}`;
    const owner = new PostgresStore({ connectionString: server.url, schema });
    await owner.connect();
    await owner.close();
    const q = (name: string) => pg.escapeIdentifier(name);
    await admin.query(`CREATE ROLE ${q(role)} LOGIN`);
    await admin.query(`GRANT USAGE ON SCHEMA ${q(schema)} TO ${q(role)}`);
    await admin.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${q(schema)} TO ${q(role)}`,
    );
    const url = new URL(server.url);
    url.username = role;
    const store = new PostgresStore({ connectionString: url.href, schema });
    try {
      await store.put(makeFeature({ name: 'limited' }), 0);
      expect((await store.get('limited'))?.version).toBe(1);
      // The same role cannot create tables: a fresh schema fails with a clear store error.
      const other = new PostgresStore({ connectionString: url.href, schema: freshSchema() });
      await expect(other.connect()).rejects.toThrow(
        /^\[rollout\] \[postgres\] preparing the tables/,
      );
      await other.close();
    } finally {
      await store.close();
      await admin.query(`DROP OWNED BY ${q(role)}`);
      await admin.query(`DROP ROLE ${q(role)}`);
    }
  });
});

describe('upgrading to a later schema version', () => {
  // What a later release's migration looks like: psql variables, its own version row.
  const next: Migration = {
    version: SCHEMA_VERSION + 1,
    name: 'test-next',
    sql: [
      "\\set versions_table :table '_schema_versions'",
      'BEGIN;',
      'ALTER TABLE :"schema".:"table" ADD COLUMN owner text;',
      `INSERT INTO :"schema".:"versions_table" (version, name) VALUES (${SCHEMA_VERSION + 1}, 'test-next');`,
      'COMMIT;',
    ].join('\n'),
  };

  it('applies only the missing migration, once, however many processes start together', async () => {
    const schema = freshSchema('up');
    const names = tableNames(schema);
    const current = new PostgresStore({ connectionString: server.url, schema });
    await current.put(makeFeature({ name: 'before-upgrade' }), 0);
    await current.close();
    expect(await versions(schema)).toEqual(ALL_VERSIONS);

    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        return client;
      }),
    );
    try {
      // ALTER TABLE ADD COLUMN twice would fail: the lock and the version check prevent it.
      await Promise.all(clients.map((c) => migrate(c, names, true, [...MIGRATIONS, next])));
      expect(await versions(schema)).toEqual([...ALL_VERSIONS, SCHEMA_VERSION + 1]);
      const columns = await admin.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'rollout_features' AND column_name = 'owner'`,
        [schema],
      );
      expect(columns.rowCount).toBe(1);
      // Not allowed to migrate and behind: the error names the one missing file.
      const behind = freshSchema('behind');
      const old = new PostgresStore({ connectionString: server.url, schema: behind });
      await old.connect();
      await old.close();
      const error = await migrate(clients[0] as pg.Client, tableNames(behind), false, [
        ...MIGRATIONS,
        next,
      ]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toContain('apply sql/test-next.sql from');
      expect((error as Error).message).not.toContain('001-init');
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    // The data survived, and the current release works on the newer schema.
    const after = new PostgresStore({ connectionString: server.url, schema });
    try {
      expect((await after.get('before-upgrade'))?.version).toBe(1);
      expect((await after.put(makeFeature({ name: 'after-upgrade' }), 0)).version).toBe(1);
    } finally {
      await after.close();
    }
  });
});

describe('schema and table options', () => {
  it('reject anything but a plain identifier before connecting', () => {
    const bad = ['', '1abc', 'a;drop table x', 'a"b', 'a.b', 'ä', ' a', 'x'.repeat(64), 42];
    for (const schema of bad) {
      expect(
        () => new PostgresStore({ connectionString: server.url, schema: schema as string }),
      ).toThrow(ValidationError);
      expect(
        () => new PostgresStore({ connectionString: server.url, table: schema as string }),
      ).toThrow(ValidationError);
    }
    // The table leaves room for its `_schema_versions` companion within 63 bytes.
    expect(
      () => new PostgresStore({ connectionString: server.url, table: 'x'.repeat(48) }),
    ).toThrow(ValidationError);
    expect(
      () => new PostgresStore({ connectionString: server.url, table: 'x'.repeat(47) }),
    ).not.toThrow();
  });

  it('are quoted, so mixed case names are kept exactly', async () => {
    const schema = `Mixed_${freshSchema()}`;
    const store = new PostgresStore({ connectionString: server.url, schema, table: 'Flags' });
    try {
      await store.put(makeFeature({ name: 'x' }), 0);
      const tables = await admin.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [schema],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        'Flags',
        'Flags_history',
        'Flags_ids',
        'Flags_revision',
        'Flags_schema_versions',
      ]);
      expect(store.table).toBe(`"${schema}"."Flags"`);
    } finally {
      await store.close();
    }
  });

  it('stores with different tables in one schema are independent', async () => {
    const schema = freshSchema();
    const a = new PostgresStore({ connectionString: server.url, schema, table: 'a' });
    const b = new PostgresStore({ connectionString: server.url, schema, table: 'b' });
    try {
      await a.put(makeFeature({ name: 'only-in-a' }), 0);
      expect(await b.get('only-in-a')).toBeUndefined();
      expect(await b.revision()).toBe(0);
      expect(a.channel).not.toBe(b.channel);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
