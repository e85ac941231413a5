import { createHash } from 'node:crypto';
import { ValidationError } from '@rollout/core';
import pg from 'pg';

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
  /** Unquoted names of the derived tables, as the SQL files' psql variables expect them. */
  readonly revisionTable: string;
  readonly versionsTable: string;
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
  const qs = quoteIdentifier(s);
  return {
    schema: s,
    table: t,
    quotedSchema: qs,
    features: `${qs}.${quoteIdentifier(t)}`,
    revision: `${qs}.${quoteIdentifier(revisionTable)}`,
    versions: `${qs}.${quoteIdentifier(versionsTable)}`,
    revisionTable,
    versionsTable,
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
