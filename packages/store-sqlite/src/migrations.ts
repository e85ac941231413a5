import type Database from 'better-sqlite3';
import type { TableNames } from './layout.js';

/** One step of the schema: the statements that bring a file from `version - 1` to `version`. */
export interface Migration {
  /** Schema version the migration brings the tables to. */
  readonly version: number;
  /** A short name, recorded beside the version. */
  readonly name: string;
  /** The DDL for the store's table names (validated, quoted identifiers only). */
  readonly sql: (names: TableNames) => string;
}

/**
 * Every migration, oldest first. A release only ever appends to this list, and each
 * step is idempotent (`IF NOT EXISTS`): files written by 0.1.0, which had the version 1
 * tables but no versions table, read as version 0 and pass through step 1 unchanged.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: ({ features, revision, changes }) => `
      CREATE TABLE IF NOT EXISTS ${features} (
        name TEXT PRIMARY KEY NOT NULL,
        document TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version > 0)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ${revision} (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
      );
      INSERT OR IGNORE INTO ${revision} (id, revision) VALUES (1, 0);
      CREATE TABLE IF NOT EXISTS ${changes} (
        revision INTEGER PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        version INTEGER,
        at TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'history',
    // `revision` is the store revision the write produced (unique, in commit order);
    // `feature` and `previous` are documents as in the features table (without the
    // version: `feature` is at `version`, `previous` at `version - 1`), NULL when absent.
    sql: ({ history, historyIndex }) => `
      CREATE TABLE IF NOT EXISTS ${history} (
        revision INTEGER PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version > 0),
        at TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('add', 'update', 'remove', 'restore')),
        actor TEXT,
        note TEXT,
        feature TEXT,
        previous TEXT
      );
      CREATE INDEX IF NOT EXISTS ${historyIndex} ON ${history} (name, revision);`,
  },
];

/** The schema version this release needs. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Brings the file's tables to the last of `migrations` ({@link SCHEMA_VERSION} by
 * default). Reads the applied version without the write lock first, so opening an
 * up-to-date file never waits for a writer; otherwise applies what is missing in one
 * `BEGIN IMMEDIATE` transaction that re-reads the version under the lock (another
 * process may have migrated meanwhile), each step recording its version. Safe when
 * several processes open the file at once; a failed step leaves the file as it was.
 */
export function migrate(
  db: Database.Database,
  names: TableNames,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  const target = migrations[migrations.length - 1]?.version ?? 0;
  if (appliedVersion(db, names) >= target) return;
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${names.versions} (
      version INTEGER PRIMARY KEY NOT NULL,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const current = appliedVersion(db, names);
    const record = db.prepare(
      `INSERT INTO ${names.versions} (version, name, applied_at) VALUES (?, ?, ?)`,
    );
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql(names));
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}

/** The highest applied migration: 0 when the versions table is missing (a new file, or one from 0.1.0). */
export function appliedVersion(db: Database.Database, names: TableNames): number {
  const present = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .get(unquote(names.versions));
  if (present === undefined) return 0;
  const row = db.prepare(`SELECT max(version) AS version FROM ${names.versions}`).get() as
    | { version: number | null }
    | undefined;
  return row?.version ?? 0;
}

// The table's own name from its quoted form (identifiers are plain, so no "" inside).
function unquote(quoted: string): string {
  return quoted.slice(1, -1).replaceAll('""', '"');
}
