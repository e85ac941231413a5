/** The default features table. */
export const DEFAULT_TABLE = 'rollout_features';

/** The store's tables, quoted. */
export interface TableNames {
  /** The features table, e.g. `"rollout_features"`. */
  readonly features: string;
  /** `<table>_revision`: the single revision row. */
  readonly revision: string;
  /** `<table>_changes`: the bounded change log. */
  readonly changes: string;
  /** `<table>_history`: one entry per acknowledged write. */
  readonly history: string;
  /** The history table's (name, revision) index. */
  readonly historyIndex: string;
  /** `<table>_schema_versions`: which migrations the file has had. */
  readonly versions: string;
}

/** The store's tables and the statements on them. */
export interface Layout {
  readonly names: TableNames;
  readonly statements: Statements;
}

/** Every statement the store runs; values are always bound parameters, never spliced. */
export interface Statements {
  readonly revision: string;
  readonly all: string;
  readonly get: string;
  readonly insert: string;
  readonly update: string;
  readonly remove: string;
  readonly bump: string;
  readonly log: string;
  readonly prune: string;
  readonly record: string;
  readonly trim: string;
  readonly historyOf: string;
  readonly historyAll: string;
}

/**
 * Where the data lives, in one database file:
 * - `<table>`: one row per feature (`name` primary key, `document` JSON text without
 *   the version, `version` integer: the truth for compare-and-set);
 * - `<table>_revision`: a single row (`id = 1`) holding the store's revision, which
 *   every write bumps and clients poll;
 * - `<table>_changes`: the change log, one row per write (revision, name, version
 *   after the write or NULL for a remove, time), bounded by `changeLogSize`;
 * - `<table>_history`: the change history, one row per acknowledged write keyed by
 *   the revision it produced (name, version, time, action, actor, note, and the
 *   documents after and before, NULL when absent), indexed on (name, revision) and
 *   bounded per feature by `historyLimit`;
 * - `<table>_schema_versions`: the migrations applied to the file (migrations.ts).
 * `table` is checked to be a plain identifier and always quoted.
 */
export function layout(table: string): Layout {
  const names: TableNames = {
    features: quote(table),
    revision: quote(`${table}_revision`),
    changes: quote(`${table}_changes`),
    history: quote(`${table}_history`),
    historyIndex: quote(`${table}_history_name`),
    versions: quote(`${table}_schema_versions`),
  };
  const { features, revision, changes, history } = names;
  return {
    names,
    statements: {
      revision: `SELECT revision FROM ${revision} WHERE id = 1`,
      all: `SELECT name, document, version FROM ${features}`,
      get: `SELECT document, version FROM ${features} WHERE name = ?`,
      insert: `INSERT INTO ${features} (name, document, version) VALUES (?, ?, 1)`,
      update: `UPDATE ${features} SET document = ?, version = version + 1 WHERE name = ? AND version = ?`,
      remove: `DELETE FROM ${features} WHERE name = ?`,
      bump: `UPDATE ${revision} SET revision = revision + 1 WHERE id = 1 RETURNING revision`,
      log: `INSERT INTO ${changes} (revision, name, version, at) VALUES (?, ?, ?, ?)`,
      prune: `DELETE FROM ${changes} WHERE revision <= ?`,
      record: `INSERT INTO ${history} (revision, name, version, at, action, actor, note, feature, previous)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      // Runs after `record` in the same transaction, so it sees the new row: the row at
      // offset `historyLimit` (newest first) is the newest one beyond the bound.
      trim: `DELETE FROM ${history} WHERE name = @name AND revision <= (
        SELECT revision FROM ${history} WHERE name = @name ORDER BY revision DESC LIMIT 1 OFFSET @keep)`,
      // Two statements rather than `?1 IS NULL OR name = ?1`, so one feature's page is
      // a range of the (name, revision) index and every feature's one of the primary key.
      historyOf: `SELECT ${ENTRY_COLUMNS} FROM ${history}
        WHERE name = ? AND revision < ? ORDER BY revision DESC LIMIT ?`,
      historyAll: `SELECT ${ENTRY_COLUMNS} FROM ${history}
        WHERE revision < ? ORDER BY revision DESC LIMIT ?`,
    },
  };
}

const ENTRY_COLUMNS = 'revision, name, version, at, action, actor, note, feature, previous';

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
