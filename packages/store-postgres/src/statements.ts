import type { TableNames } from './identifiers.js';

/**
 * Every statement the store runs, built once from the validated, quoted table
 * names. Values (names, documents, versions, the channel) are always parameters.
 *
 * Each write is ONE statement, so it is atomic on its own (autocommit) and also
 * inside an application's transaction, and none of them raises on a version
 * conflict: a conflict is "no row returned", never a unique violation that would
 * abort the surrounding transaction.
 */
export interface Statements {
  /** $1 name -> document, version. */
  readonly get: string;
  /** -> revision (no row when the counter row is missing). */
  readonly revision: string;
  /** -> one row per feature (revision repeated), or one row of nulls and the revision when empty. */
  readonly snapshot: string;
  /** $1 name, $2 document, $3 channel -> version, revision; no row when the feature exists. */
  readonly insert: string;
  /** $1 name, $2 document, $3 expected version, $4 channel -> version, revision; no row on conflict. */
  readonly update: string;
  /**
   * $1 name, $2 expected version or null, $3 channel -> revision (null when nothing
   * was deleted), current (the version the statement's snapshot saw, null if none).
   */
  readonly remove: string;
}

/** Builds the statements for one features table. */
export function buildStatements(names: TableNames): Statements {
  const { features, revision } = names;
  // Bumps the counter only when the write CTE `w` produced a row. An upsert, so a
  // counter row deleted by hand is recreated instead of silently losing the write's bump.
  // Taking this row lock last (after the feature row) keeps lock order fixed: no deadlocks.
  const bump = `rev AS (
    INSERT INTO ${revision} AS r (id, revision) SELECT true, 1 FROM w
    ON CONFLICT (id) DO UPDATE SET revision = r.revision + 1
    RETURNING revision
  )`;
  const notify = (channelParam: string) =>
    `pg_notify(${channelParam}, json_build_object('revision', rev.revision, 'name', w.name)::text)`;
  return {
    get: `SELECT document, version FROM ${features} WHERE name = $1::text`,
    revision: `SELECT revision FROM ${revision} WHERE id`,
    snapshot: `SELECT c.revision, f.name, f.document, f.version
      FROM (SELECT coalesce((SELECT revision FROM ${revision} WHERE id), 0) AS revision) c
      LEFT JOIN ${features} f ON true`,
    insert: `WITH w AS (
        INSERT INTO ${features} (name, document, version) VALUES ($1::text, $2::jsonb, 1)
        ON CONFLICT (name) DO NOTHING
        RETURNING name, version
      ), ${bump}
      SELECT w.version, rev.revision, ${notify('$3::text')} FROM w CROSS JOIN rev`,
    update: `WITH w AS (
        UPDATE ${features} SET document = $2::jsonb, version = version + 1, updated_at = now()
        WHERE name = $1::text AND version = $3::bigint
        RETURNING name, version
      ), ${bump}
      SELECT w.version, rev.revision, ${notify('$4::text')} FROM w CROSS JOIN rev`,
    remove: `WITH w AS (
        DELETE FROM ${features} WHERE name = $1::text AND ($2::bigint IS NULL OR version = $2::bigint)
        RETURNING name
      ), ${bump}
      SELECT (SELECT rev.revision FROM rev) AS revision,
        (SELECT ${notify('$3::text')} FROM w CROSS JOIN rev) AS notified,
        (SELECT version FROM ${features} WHERE name = $1::text) AS current`,
  };
}
