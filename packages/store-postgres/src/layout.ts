/**
 * Where the store's data lives: the validated, quoted names of its schema, tables
 * and notification channel, and every SQL statement it runs on them.
 */
import { createHash } from 'node:crypto';
import { LIMITS, ValidationError } from '@rollout/core';
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
  /** `"schema"."table_ids"`: one row per listed user id (see id-lists.ts). */
  readonly ids: string;
  /** Unquoted names of the derived tables, as the SQL files' psql variables expect them. */
  readonly revisionTable: string;
  readonly versionsTable: string;
  readonly historyTable: string;
  readonly idsTable: string;
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
  const idsTable = `${t}_ids`;
  const qs = quoteIdentifier(s);
  return {
    schema: s,
    table: t,
    quotedSchema: qs,
    features: `${qs}.${quoteIdentifier(t)}`,
    revision: `${qs}.${quoteIdentifier(revisionTable)}`,
    versions: `${qs}.${quoteIdentifier(versionsTable)}`,
    history: `${qs}.${quoteIdentifier(historyTable)}`,
    ids: `${qs}.${quoteIdentifier(idsTable)}`,
    revisionTable,
    versionsTable,
    historyTable,
    idsTable,
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
 *
 * Layout (sql/003-id-rows.sql): a feature's `users` and `excludedUsers` are rows of
 * the ids table, `(feature, list, id)`; its `document` holds every other field.
 * Reads put the lists back into the document in the same statement (one MVCC
 * snapshot), so a reader never sees a document and lists of different writes.
 */
export interface Statements {
  /** $1 name -> document (without lists), version, users, excluded (see listColumns). */
  readonly get: string;
  /**
   * $1 name -> document (without lists), version, users_count, excluded_count, locking
   * the row until the transaction ends (apply).
   */
  readonly lock: string;
  /** -> revision (no row when the counter row is missing). */
  readonly revision: string;
  /**
   * -> one row per feature (revision repeated; document, version, users, excluded), or
   * one row of nulls and the revision when empty.
   */
  readonly snapshot: string;
  /**
   * $1 name, $2 document (lists included), $3 channel, then the history parameters ->
   * version, revision; no row when the feature exists.
   */
  readonly insert: string;
  /**
   * $1 name, $2 document (lists included), $3 expected version, $4 channel, then the
   * history parameters -> version, revision; no row on conflict.
   */
  readonly update: string;
  /**
   * $1 name, $2 expected version or null, $3 channel, then the history parameters ->
   * revision (null when nothing was deleted), current (the version the statement's
   * snapshot saw, null if none). With $2 null it deletes the version its snapshot saw,
   * so the history row's `previous` is exactly the record removed: a concurrent write
   * in between makes it delete nothing (revision null, current not null).
   */
  readonly remove: string;
  /** See {@link applyStatement}. */
  readonly apply: string;
  /** See {@link applyListsStatement}. */
  readonly applyLists: string;
  /**
   * $1 name, $2 lists text[], $3 ids text[] -> list, present: how many of the ids are
   * on their list (the exact list length check of an apply near the limit).
   */
  readonly present: string;
  /** $1 name or null, $2 before (revision) or null, $3 limit -> history rows, newest first. */
  readonly history: string;
}

// The document with its id lists put back, as one jsonb value, for the feature row `f`
// (one index range scan per list; for history rows, which keep whole records).
function withLists(names: TableNames, f: string): string {
  const list = (name: string) =>
    `coalesce((SELECT jsonb_agg(i.id) FROM ${names.ids} i
      WHERE i.feature = ${f}.name AND i.list = '${name}' AND i.present), '[]'::jsonb)`;
  return `${f}.document || jsonb_build_object('users', ${list('users')}, 'excludedUsers', ${list('excludedUsers')})`;
}

/**
 * The id lists of the feature row `f` as two json columns, `users` and `excluded` (null
 * when empty): what reads return beside the document. Plain json arrays built in the
 * primary key's order are about twice as fast to produce and parse as merging them into
 * the jsonb document; codec.ts puts them back (and sorts them, as for any record read).
 */
export function listColumns(names: TableNames, f: string): string {
  const list = (name: string) =>
    `(SELECT json_agg(i.id) FROM ${names.ids} i
      WHERE i.feature = ${f}.name AND i.list = '${name}' AND i.present)`;
  return `${list('users')} AS users, ${list('excludedUsers')} AS excluded`;
}

// The rows (list, id) of the id lists of the document parameter `doc`.
function listRows(doc: string): string {
  return `SELECT l.list, x.id FROM (VALUES ('users'), ('excludedUsers')) AS l (list)
    CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(${doc} -> l.list, '[]'::jsonb)) AS x (id)`;
}

// The document parameter without its id lists, as the features row keeps it.
const bare = (doc: string) => `(${doc} - 'users' - 'excludedUsers')`;
const count = (doc: string, list: string) =>
  `jsonb_array_length(coalesce(${doc} -> '${list}', '[]'::jsonb))`;

/** Builds the statements for one features table. */
export function buildStatements(names: TableNames): Statements {
  const { features, revision, ids } = names;
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
  const doc = '$2::jsonb';
  return {
    get: `SELECT f.document, f.version, ${listColumns(names, 'f')} FROM ${features} f WHERE f.name = $1::text`,
    lock: `SELECT document, version, users_count, excluded_count FROM ${features}
      WHERE name = $1::text FOR UPDATE`,
    revision: `SELECT revision FROM ${revision} WHERE id`,
    // Lists grouped in one pass over the ids table rather than three lookups per feature.
    snapshot: `SELECT c.revision, f.name, f.document, f.version, l.users, l.excluded
      FROM (SELECT coalesce((SELECT revision FROM ${revision} WHERE id), 0) AS revision) c
      LEFT JOIN ${features} f ON true
      LEFT JOIN (
        SELECT feature, json_agg(id) FILTER (WHERE list = 'users') AS users,
          json_agg(id) FILTER (WHERE list = 'excludedUsers') AS excluded
        FROM ${ids} WHERE present GROUP BY feature
      ) l ON l.feature = f.name`,
    insert: `WITH w AS (
        INSERT INTO ${features} (name, document, version, users_count, excluded_count)
        VALUES ($1::text, ${bare(doc)}, 1, ${count(doc, 'users')}, ${count(doc, 'excludedUsers')})
        ON CONFLICT (name) DO NOTHING
        RETURNING name, version
      ), listed AS (
        INSERT INTO ${ids} (feature, list, id) SELECT w.name, k.list, k.id FROM w CROSS JOIN (${listRows(doc)}) k
      ), ${bump}, ${record(4, doc, 'NULL::jsonb')}
      SELECT w.version, rev.revision, ${notify('$3::text')} FROM w CROSS JOIN rev`,
    // The previous record for history is read from the statement's snapshot, which is
    // the row `w` updates: any write committed since bumped the version, and then `w`
    // matches nothing.
    update: `WITH old AS (
        SELECT ${withLists(names, 'o')} AS document FROM ${features} o
        WHERE o.name = $1::text AND o.version = $3::bigint
      ), w AS (
        UPDATE ${features} SET document = ${bare(doc)}, version = version + 1, updated_at = now(),
          users_count = ${count(doc, 'users')}, excluded_count = ${count(doc, 'excludedUsers')}
        WHERE name = $1::text AND version = $3::bigint
        RETURNING name, version
      ), k AS (${listRows(doc)}), gone AS (
        DELETE FROM ${ids} i USING w WHERE i.feature = w.name
          AND NOT EXISTS (SELECT 1 FROM k WHERE k.list = i.list AND k.id = i.id)
      ), listed AS (
        INSERT INTO ${ids} AS t (feature, list, id) SELECT w.name, k.list, k.id FROM w CROSS JOIN k
        ON CONFLICT (feature, list, id) DO UPDATE SET present = true WHERE t.present IS NOT TRUE
      ), ${bump}, ${record(5, doc, '(SELECT document FROM old)')}
      SELECT w.version, rev.revision, ${notify('$4::text')} FROM w CROSS JOIN rev`,
    // The ids go with the feature row (ON DELETE CASCADE).
    remove: `WITH seen AS (
        SELECT ${withLists(names, 's')} AS document, s.version FROM ${features} s WHERE s.name = $1::text
      ), w AS (
        DELETE FROM ${features}
        WHERE name = $1::text AND version = coalesce($2::bigint, (SELECT version FROM seen))
        RETURNING name, version + 1 AS version
      ), ${bump}, ${record(4, 'NULL::jsonb', '(SELECT document FROM seen)')}
      SELECT (SELECT rev.revision FROM rev) AS revision,
        (SELECT ${notify('$3::text', false)} FROM w CROSS JOIN rev) AS notified,
        (SELECT version FROM seen) AS current`,
    apply: applyStatement(names, bump),
    applyLists: applyListsStatement(names, bump),
    present: `SELECT k.list, count(i.id)::int AS present
      FROM unnest($2::text[], $3::text[]) AS k (list, id)
      JOIN ${ids} i ON i.feature = $1::text AND i.list = k.list AND i.id = k.id AND i.present
      GROUP BY k.list`,
    history: historyQuery(names),
  };
}

// The change notification of the write `w`: its revision, name and (but for a remove)
// the feature's version after it, so a client holding that version skips reading it.
function notify(channelParam: string, withVersion = true): string {
  const version = withVersion ? `, 'version', w.version` : '';
  return `pg_notify(${channelParam}, json_build_object('revision', rev.revision, 'name', w.name${version})::text)`;
}

// How many ids of `list` the CTEs `ad` (added) and `rm` (removed) really added, net.
const changed = (list: string) =>
  `(SELECT count(*) FROM ad WHERE list = '${list}') - (SELECT count(*) FROM rm WHERE list = '${list}')`;
const side = (cte: string, list: string) =>
  `coalesce((SELECT jsonb_agg(id ORDER BY id) FROM ${cte} WHERE list = '${list}'), '[]'::jsonb)`;
const listDelta = (list: string) =>
  `CASE WHEN EXISTS (SELECT 1 FROM ad WHERE list = '${list}') OR EXISTS (SELECT 1 FROM rm WHERE list = '${list}')
    THEN jsonb_build_object('${list}', jsonb_build_object('added', ${side('ad', list)}, 'removed', ${side('rm', list)}))
    ELSE '{}'::jsonb END`;
// The history row's `delta`: per list that changed, the ids really added and removed.
const DELTA = `${listDelta('users')} || ${listDelta('excludedUsers')}`;

/**
 * The write of an `apply`, once the feature's row is locked and the operations planned
 * (see apply-plan.ts): O(ids the operations name), whatever the lists' lengths.
 *
 * $1 name, $2 document after (without lists), $3 expected version, $4 channel, $5-$8 the
 * history parameters, $9/$10 lists and ids to add, $11/$12 lists and ids to remove, $13
 * lists replaced whole (their rows not among the added ones go), $14 whether the
 * document changed -> version and revision
 * (null when nothing changed), held (false: the row was not at the expected version).
 *
 * `g` locks the row at the expected version; every change hangs on it, so on a
 * connection outside a transaction the statement is a plain compare-and-set. The row
 * is written only when something changed: an id really added or removed, or the
 * document. The history row is compact: both documents without lists and the ids
 * actually added and removed (`delta`).
 */
function applyStatement(names: TableNames, bump: string): string {
  const { features, ids } = names;
  return `WITH g AS (
      SELECT name FROM ${features} WHERE name = $1::text AND version = $3::bigint FOR UPDATE
    ), a AS (
      SELECT * FROM unnest($9::text[], $10::text[]) AS a (list, id)
    ), named AS (
      DELETE FROM ${ids} i WHERE i.feature = $1::text AND EXISTS (SELECT 1 FROM g)
        AND (i.list, i.id) IN (SELECT * FROM unnest($11::text[], $12::text[]))
      RETURNING i.list, i.id, i.present
    ), others AS (
      DELETE FROM ${ids} i WHERE i.feature = $1::text AND EXISTS (SELECT 1 FROM g)
        AND i.list = ANY ($13::text[])
        AND NOT EXISTS (SELECT 1 FROM a WHERE a.list = i.list AND a.id = i.id)
      RETURNING i.list, i.id, i.present
    ), rm AS (
      SELECT list, id FROM named WHERE present UNION ALL SELECT list, id FROM others WHERE present
    ), ad AS (
      INSERT INTO ${ids} AS t (feature, list, id) SELECT g.name, a.list, a.id FROM g CROSS JOIN a
      ON CONFLICT (feature, list, id) DO UPDATE SET present = true WHERE t.present IS NOT TRUE
      RETURNING t.list, t.id
    ), w AS (
      UPDATE ${features} f SET document = $2::jsonb, version = f.version + 1, updated_at = now(),
        users_count = f.users_count + ${changed('users')},
        excluded_count = f.excluded_count + ${changed('excludedUsers')}
      WHERE f.name = $1::text AND f.version = $3::bigint
        AND ($14::boolean OR EXISTS (SELECT 1 FROM ad) OR EXISTS (SELECT 1 FROM rm))
      RETURNING f.name, f.version
    ), ${bump}, ${recordHistory(names, 5, '$2::jsonb', `(SELECT document FROM ${features} WHERE name = $1::text)`, DELTA)}
    SELECT (SELECT w.version FROM w) AS version, (SELECT rev.revision FROM rev) AS revision,
      (SELECT ${notify('$4::text')} FROM w CROSS JOIN rev) AS notified,
      EXISTS (SELECT 1 FROM g) AS held`;
}

/**
 * An `apply` of list operations only (users and deny list added and removed, groups
 * added and removed) in ONE statement, so the feature's row is locked only while the
 * server runs it, never across a round trip to the client: under contention, writers
 * queue on the lock for the statement's own duration, as plain UPDATEs would.
 *
 * $1 name, $2 channel, $3-$6 the history parameters, $7/$8 lists and ids to add,
 * $9/$10 lists and ids to remove, $11 groups to add, $12 groups to remove, $13 the
 * write's time (`updatedAt`) -> current (the version locked; null: no such feature),
 * fine (false: the write needs the transaction path, nothing was done), created_at, and
 * version and revision (null when nothing changed).
 *
 * `g` waits for the row lock and returns the latest row, so everything computed from it
 * is current. The statement's snapshot, though, was taken before that wait, so the ids
 * are never read through it: adding is `INSERT ... ON CONFLICT DO UPDATE SET present =
 * true`, removing the same with `present = false`, and an upsert always acts on the
 * latest committed row. A removed id stays as a tombstone until a later write of the
 * feature deletes it (`cleanup`, through the partial index; never a row named here).
 * The transaction path takes over (`fine` false) when the operations would pass a list
 * limit (it checks exactly) or remove users of a feature with variant pins (the pins,
 * in the document, must lose them too).
 */
function applyListsStatement(names: TableNames, bump: string): string {
  const { features, ids } = names;
  const adding = (list: string) =>
    `(SELECT count(*) FROM unnest($7::text[]) l WHERE l = '${list}')`;
  return `WITH g AS (
      SELECT name, document, version, users_count, excluded_count FROM ${features}
      WHERE name = $1::text FOR UPDATE
    ), old AS (
      -- The groups, only when the operations touch them (else the document keeps its own).
      SELECT x FROM g CROSS JOIN jsonb_array_elements_text(coalesce(g.document -> 'groups', '[]'::jsonb)) AS o (x)
      WHERE cardinality($11::text[]) + cardinality($12::text[]) > 0
    ), groups AS (
      SELECT CASE WHEN cardinality($11::text[]) + cardinality($12::text[]) > 0
          THEN coalesce(jsonb_agg(x), '[]'::jsonb)
          ELSE (SELECT coalesce(document -> 'groups', '[]'::jsonb) FROM g) END AS list,
        count(*) AS length,
        EXISTS (SELECT 1 FROM old WHERE x = ANY ($12::text[]))
          OR EXISTS (SELECT 1 FROM unnest($11::text[]) a WHERE a NOT IN (SELECT x FROM old)) AS changed
      FROM (SELECT x FROM old WHERE NOT (x = ANY ($12::text[])) UNION SELECT unnest($11::text[])) n
    ), ok AS (
      SELECT g.*, groups.list AS groups, groups.changed,
        NOT (g.document ? 'userVariants' AND 'users' = ANY ($9::text[]))
          AND groups.length <= ${LIMITS.groups}
          AND g.users_count + ${adding('users')} <= ${LIMITS.users}
          AND g.excluded_count + ${adding('excludedUsers')} <= ${LIMITS.users} AS fine
      FROM g CROSS JOIN groups
    ), go AS (
      SELECT * FROM ok WHERE fine
    ), ad AS (
      INSERT INTO ${ids} AS t (feature, list, id)
      SELECT go.name, a.list, a.id FROM go CROSS JOIN unnest($7::text[], $8::text[]) AS a (list, id)
      ON CONFLICT (feature, list, id) DO UPDATE SET present = true WHERE t.present IS NOT TRUE
      RETURNING t.list, t.id
    ), gone AS (
      INSERT INTO ${ids} AS t (feature, list, id, present)
      SELECT go.name, r.list, r.id, NULL FROM go CROSS JOIN unnest($9::text[], $10::text[]) AS r (list, id)
      ON CONFLICT (feature, list, id) DO UPDATE SET present = false WHERE t.present
      RETURNING t.list, t.id, t.present
    ), rm AS (
      -- false: a listed id this statement removed; null: it was not listed (a new tombstone).
      SELECT list, id FROM gone WHERE present IS NOT NULL
    ), doc AS (
      SELECT jsonb_set(jsonb_set(go.document, '{groups}', go.groups), '{updatedAt}', to_jsonb($13::text))
        AS document FROM go
    ), w AS (
      UPDATE ${features} f SET document = doc.document, version = f.version + 1, updated_at = now(),
        users_count = f.users_count + ${changed('users')},
        excluded_count = f.excluded_count + ${changed('excludedUsers')}
      FROM go CROSS JOIN doc
      WHERE f.name = go.name AND (go.changed OR EXISTS (SELECT 1 FROM ad) OR EXISTS (SELECT 1 FROM rm))
      RETURNING f.name, f.version
    ), cleanup AS (
      DELETE FROM ${ids} i WHERE i.feature = $1::text AND i.present IS NOT TRUE AND EXISTS (SELECT 1 FROM w)
        AND NOT EXISTS (SELECT 1 FROM unnest($9::text[], $10::text[]) AS r (list, id) WHERE r.list = i.list AND r.id = i.id)
        AND NOT EXISTS (SELECT 1 FROM unnest($7::text[], $8::text[]) AS a (list, id) WHERE a.list = i.list AND a.id = i.id)
    ), ${bump}, ${recordHistory(names, 3, '(SELECT document FROM doc)', '(SELECT document FROM go)', DELTA)}
    SELECT (SELECT version FROM g) AS current, (SELECT fine FROM ok) AS fine,
      (SELECT document ->> 'createdAt' FROM g) AS created_at,
      (SELECT w.version FROM w) AS version, (SELECT rev.revision FROM rev) AS revision,
      (SELECT ${notify('$2::text')} FROM w CROSS JOIN rev) AS notified`;
}
