/** The default features table. */
export const DEFAULT_TABLE = 'rollout_features';

/** The store's tables, quoted, and the statements on them. */
export interface Layout {
  /** The quoted features table, e.g. `"rollout_features"`. */
  readonly features: string;
  /** Creates the tables and the revision row when missing (idempotent). */
  readonly schema: string;
  readonly statements: Statements;
}

/** Every statement the store runs; values are always bound parameters, never spliced. */
export interface Statements {
  readonly revision: string;
  readonly all: string;
  readonly get: string;
  readonly version: string;
  readonly insert: string;
  readonly update: string;
  readonly remove: string;
  readonly bump: string;
  readonly log: string;
  readonly prune: string;
}

/**
 * Where the data lives, in one database file:
 * - `<table>`: one row per feature (`name` primary key, `document` JSON text without
 *   the version, `version` integer: the truth for compare-and-set);
 * - `<table>_revision`: a single row (`id = 1`) holding the store's revision, which
 *   every write bumps and clients poll;
 * - `<table>_changes`: the change log, one row per write (revision, name, version
 *   after the write or NULL for a remove, time), bounded by `changeLogSize`.
 * `table` is checked to be a plain identifier and always quoted.
 */
export function layout(table: string): Layout {
  const features = quote(table);
  const revision = quote(`${table}_revision`);
  const changes = quote(`${table}_changes`);
  return {
    features,
    schema: `
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
    statements: {
      revision: `SELECT revision FROM ${revision} WHERE id = 1`,
      all: `SELECT name, document, version FROM ${features}`,
      get: `SELECT document, version FROM ${features} WHERE name = ?`,
      version: `SELECT version FROM ${features} WHERE name = ?`,
      insert: `INSERT INTO ${features} (name, document, version) VALUES (?, ?, 1)`,
      update: `UPDATE ${features} SET document = ?, version = version + 1 WHERE name = ? AND version = ?`,
      remove: `DELETE FROM ${features} WHERE name = ?`,
      bump: `UPDATE ${revision} SET revision = revision + 1 WHERE id = 1 RETURNING revision`,
      log: `INSERT INTO ${changes} (revision, name, version, at) VALUES (?, ?, ?, ?)`,
      prune: `DELETE FROM ${changes} WHERE revision <= ?`,
    },
  };
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
