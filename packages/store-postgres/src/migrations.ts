import { StoreError } from '@rollout/core';
import type pg from 'pg';
import init001 from '../sql/001-init.sql';
import history002 from '../sql/002-history.sql';
import idRows003 from '../sql/003-id-rows.sql';
import { STORE_NAME } from './errors.js';
import { quoteIdentifier, type TableNames } from './layout.js';

/** One shipped migration: a file under `sql/` in this package. */
export interface Migration {
  /** Schema version the migration brings the tables to. */
  readonly version: number;
  /** File name without `.sql`. */
  readonly name: string;
  /** The file's text, psql meta-commands and variables included. */
  readonly sql: string;
}

/** Every migration, oldest first. A release only ever appends to this list. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001-init', sql: init001 },
  { version: 2, name: '002-history', sql: history002 },
  { version: 3, name: '003-id-rows', sql: idRows003 },
];

/** The schema version this release needs. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * The advisory lock every migration runs under (the SQL files take the same one):
 * `pg_advisory_xact_lock(1919904876, 1)`, 1919904876 being the ASCII bytes of "roll".
 * One key for all rollout tables in a database, so concurrent first starts never
 * race on CREATE SCHEMA either.
 */
export const MIGRATION_LOCK: readonly [number, number] = [1919904876, 1];

/**
 * Turns a shipped SQL file into the statements the store runs: drops psql
 * meta-commands (`\if`, `\set`...) and the file's own BEGIN/COMMIT (the runner
 * owns the transaction), and replaces each `:"variable"` with the quoted
 * identifier. Only validated, quoted identifiers are ever spliced in.
 */
export function renderMigration(
  sql: string,
  names: TableNames,
  options: { schemaExists: boolean },
): string {
  const variables: Record<string, string> = {
    schema: names.schema,
    table: names.table,
    revision_table: names.revisionTable,
    versions_table: names.versionsTable,
    history_table: names.historyTable,
    history_index: `${names.historyTable}_name`,
    ids_table: names.idsTable,
    ids_tombstones: `${names.idsTable}_tombstones`,
  };
  const lines = sql.split('\n').filter((line) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('\\')) return false;
    if (trimmed === 'BEGIN;' || trimmed === 'COMMIT;') return false;
    // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database,
    // which an application role often lacks; skip it when the schema is there.
    if (options.schemaExists && trimmed.startsWith('CREATE SCHEMA')) return false;
    return true;
  });
  return lines.join('\n').replace(/:"([a-z_]+)"/g, (_match, variable: string) => {
    const value = Object.hasOwn(variables, variable) ? variables[variable] : undefined;
    if (value === undefined)
      throw new Error(`migration uses an unknown psql variable :"${variable}"`);
    return quoteIdentifier(value);
  });
}

/** What the schema looks like now: the highest applied migration (0 when the tables are missing). */
export async function appliedVersion(
  client: pg.ClientBase | pg.Pool,
  names: TableNames,
): Promise<number> {
  const found = await client.query<{ present: boolean }>({
    text: 'SELECT to_regclass($1) IS NOT NULL AS present',
    values: [names.versions],
  });
  if (!found.rows[0]?.present) return 0;
  const result = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${names.versions}`,
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Brings the tables to the last of `migrations` ({@link SCHEMA_VERSION} by default):
 * checks without locking first (so an application role without DDL rights works
 * once the tables exist), otherwise takes the advisory lock in a transaction,
 * re-reads the applied version and applies what is missing, each file recording
 * its own version. Safe when several processes start at once. With `allowed`
 * false it only checks, and throws a StoreError naming the files to apply.
 */
export async function migrate(
  client: pg.ClientBase,
  names: TableNames,
  allowed: boolean,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  const target = migrations[migrations.length - 1]?.version ?? 0;
  const applied = await appliedVersion(client, names);
  if (applied >= target) return;
  if (!allowed) {
    const missing = migrations
      .filter((m) => m.version > applied)
      .map((m) => `sql/${m.name}.sql`)
      .join(', ');
    throw new StoreError(
      STORE_NAME,
      `the tables ${names.features} are at schema version ${applied}, this release needs ${target}, and migrate is false: apply ${missing} from @rollout/store-postgres (see its README) or pass migrate: true`,
    );
  }
  await client.query('BEGIN');
  try {
    await client.query({
      text: 'SELECT pg_advisory_xact_lock($1, $2)',
      values: [...MIGRATION_LOCK],
    });
    // Another process may have migrated while we waited for the lock.
    const current = await appliedVersion(client, names);
    const schema = await client.query({
      text: 'SELECT 1 FROM pg_namespace WHERE nspname = $1',
      values: [names.schema],
    });
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(
        renderMigration(migration.sql, names, { schemaExists: (schema.rowCount ?? 0) > 0 }),
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
