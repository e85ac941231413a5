/**
 * Where the store's data lives: the validated, quoted names of its schema, tables
 * and notification channel, and every SQL statement it runs on them.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@rollout/core';
import pg from 'pg';
import { historyQuery, recordHistory } from './history.js';

/** Schema used when the options name none. */
export const DEFAULT_SCHEMA = 'public';
/** Features table used when the options name none. */
export const DEFAULT_TABLE = 'rollout_features';

// The longest suffix a derived table name gets (`<table>_schema_versions`).
const LONGEST_SUFFIX = '_schema_versions';
// PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes; a truncated name
// would silently point at another table, so longer names are refused instead.
const MAX_IDENTIFIER_BYTES = 63;
// Plain ASCII identifiers only: what a DBA can type without quoting surprises.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The quoted, schema-qualified names of every object the store uses, ready to splice into SQL. */
export interface TableNames {
  /** The schema, as given (unquoted). */
  readonly schema: string;
  /** The features table, as given (unquoted). */
  readonly table: string;
  /** `"schema"` */
  readonly quotedSchema: string;
  /** `"schema"."table"`: one row per feature. */
  readonly features: string;
  /** `"schema"."table_revision"`: the single-row revision counter. */
  readonly revision: string;
  /** `"schema"."table_schema_versions"`: which migrations were applied. */
  readonly versions: string;
  /** `"schema"."table_history"`: one row per write (see history.ts). */
  readonly history: string;
  /** Unquoted names of the derived tables, as the SQL files' psql variables expect them. */
  readonly revisionTable: string;
  readonly versionsTable: string;
  readonly historyTable: string;
  /** The LISTEN/NOTIFY channel, unquoted (pass it as a parameter to pg_notify, quote it for LISTEN). */
  readonly channel: string;
}

/**
 * Checks a schema or table name from the options: ASCII letters, digits and
 * underscores, not starting with a digit, short enough that PostgreSQL does not
 * truncate it. Throws ValidationError otherwise.
 */
export function validateIdentifier(
  value: unknown,
  field: string,
  maxBytes = MAX_IDENTIFIER_BYTES,
): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new ValidationError(
      field,
      value,
      'must be an SQL identifier: letters, digits and _, not starting with a digit',
    );
  }
  if (value.length > maxBytes) {
    throw new ValidationError(
      field,
      value,
      `is ${value.length} characters long; the limit is ${maxBytes}`,
    );
  }
  return value;
}

/** Quotes an identifier with the driver's quoting function (doubles inner quotes). */
export function quoteIdentifier(name: string): string {
  return pg.escapeIdentifier(name);
}

/** Validates the schema and table options and derives every quoted name the store needs. */
export function tableNames(
  schema: unknown = DEFAULT_SCHEMA,
  table: unknown = DEFAULT_TABLE,
): TableNames {
  const s = validateIdentifier(schema, 'schema');
  const t = validateIdentifier(table, 'table', MAX_IDENTIFIER_BYTES - LONGEST_SUFFIX.length);
  const revisionTable = `${t}_revision`;
  const versionsTable = `${t}_schema_versions`;
  const historyTable = `${t}_history`;
  const qs = quoteIdentifier(s);
  return {
    schema: s,
    table: t,
    quotedSchema: qs,
    features: `${qs}.${quoteIdentifier(t)}`,
    revision: `${qs}.${quoteIdentifier(revisionTable)}`,
    versions: `${qs}.${quoteIdentifier(versionsTable)}`,
    history: `${qs}.${quoteIdentifier(historyTable)}`,
    revisionTable,
    versionsTable,
    historyTable,
    channel: channelName(s, t),
  };
}

/**
 * The notification channel of one features table. Readable when it fits in an
 * identifier (`rollout:schema.table`), otherwise a hash of the same text, so two
 * tables never share a channel and the name is never truncated.
 */
export function channelName(schema: string, table: string): string {
  const readable = `rollout:${schema}.${table}`;
  if (readable.length <= MAX_IDENTIFIER_BYTES) return readable;
  return `rollout:${createHash('sha256').update(`${schema}.${table}`).digest('hex').slice(0, 40)}`;
}

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
  /** $1 name -> document, version, locking the row until the transaction ends (apply). */
  readonly lock: string;
  /** -> revision (no row when the counter row is missing). */
  readonly revision: string;
  /** -> one row per feature (revision repeated), or one row of nulls and the revision when empty. */
  readonly snapshot: string;
  /**
   * $1 name, $2 document, $3 channel, then the history parameters -> version,
   * revision; no row when the feature exists.
   */
  readonly insert: string;
  /**
   * $1 name, $2 document, $3 expected version, $4 channel, then the history
   * parameters -> version, revision; no row on conflict.
   */
  readonly update: string;
  /**
   * $1 name, $2 expected version or null, $3 channel, then the history parameters ->
   * revision (null when nothing was deleted), current (the version the statement's
   * snapshot saw, null if none).
   */
  readonly remove: string;
  /** $1 name or null, $2 before (revision) or null, $3 limit -> history rows, newest first. */
  readonly history: string;
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
  const record = (first: number, feature: string, previous: string) =>
    recordHistory(names, first, feature, previous);
  const notify = (channelParam: string) =>
    `pg_notify(${channelParam}, json_build_object('revision', rev.revision, 'name', w.name)::text)`;
  return {
    get: `SELECT document, version FROM ${features} WHERE name = $1::text`,
    lock: `SELECT document, version FROM ${features} WHERE name = $1::text FOR UPDATE`,
    revision: `SELECT revision FROM ${revision} WHERE id`,
    snapshot: `SELECT c.revision, f.name, f.document, f.version
      FROM (SELECT coalesce((SELECT revision FROM ${revision} WHERE id), 0) AS revision) c
      LEFT JOIN ${features} f ON true`,
    insert: `WITH w AS (
        INSERT INTO ${features} (name, document, version) VALUES ($1::text, $2::jsonb, 1)
        ON CONFLICT (name) DO NOTHING
        RETURNING name, version
      ), ${bump}, ${record(4, '$2::jsonb', 'NULL::jsonb')}
      SELECT w.version, rev.revision, ${notify('$3::text')} FROM w CROSS JOIN rev`,
    update: `WITH old AS (
        SELECT document FROM ${features} WHERE name = $1::text AND version = $3::bigint
      ), w AS (
        UPDATE ${features} SET document = $2::jsonb, version = version + 1, updated_at = now()
        WHERE name = $1::text AND version = $3::bigint
        RETURNING name, version
      ), ${bump}, ${record(5, '$2::jsonb', '(SELECT document FROM old)')}
      SELECT w.version, rev.revision, ${notify('$4::text')} FROM w CROSS JOIN rev`,
    remove: `WITH w AS (
        DELETE FROM ${features} WHERE name = $1::text AND ($2::bigint IS NULL OR version = $2::bigint)
        RETURNING name, version + 1 AS version, document
      ), ${bump}, ${record(4, 'NULL::jsonb', 'w.document')}
      SELECT (SELECT rev.revision FROM rev) AS revision,
        (SELECT ${notify('$3::text')} FROM w CROSS JOIN rev) AS notified,
        (SELECT version FROM ${features} WHERE name = $1::text) AS current`,
    history: historyQuery(names),
  };
}
