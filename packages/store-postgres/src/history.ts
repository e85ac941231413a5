import type { HistoryAction, HistoryEntry, HistoryQuery, WriteContext } from '@rollout/core';
import { decodeRow } from './codec.js';
import type { TableNames } from './layout.js';

/*
 * Change history: the `<table>_history` table (sql/002-history.sql). Every write
 * statement carries two more CTEs after its write `w` and revision bump `rev`: one
 * inserts the write's row, one trims the feature to its last `historyLimit` rows. They
 * are part of the write's own statement, so they commit (or not) with it, inside an
 * application's transaction too.
 */

/**
 * The two history CTEs of a write statement. Parameters from `$first`: action, actor,
 * note, historyLimit. `feature` and `previous` are SQL expressions over `w` and the
 * statement's parameters (documents, or NULL).
 */
export function recordHistory(
  names: TableNames,
  first: number,
  feature: string,
  previous: string,
  delta = 'NULL::jsonb',
): string {
  const [action, actor, note, limit] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  const { history } = names;
  // The trim's subquery reads the statement's snapshot, which does not hold the row
  // `entry` inserts: keeping `limit - 1` older rows leaves `limit` with the new one.
  return `entry AS (
        INSERT INTO ${history} (revision, name, version, action, actor, note, feature, previous, delta)
        SELECT rev.revision, w.name, w.version, ${action}::text, ${actor}::text, ${note}::text,
          ${feature}, ${previous}, ${delta}
        FROM w CROSS JOIN rev
      ), pruned AS (
        DELETE FROM ${history} WHERE name = $1::text AND EXISTS (SELECT 1 FROM w)
          AND revision <= (SELECT revision FROM ${history} WHERE name = $1::text
            ORDER BY revision DESC OFFSET ${limit}::int - 1 LIMIT 1)
      )`;
}

/** The history parameters of a write statement, in {@link recordHistory}'s order. */
export function historyParams(
  context: WriteContext,
  action: HistoryAction,
  limit: number,
): (string | number | null)[] {
  return [action, context.actor ?? null, context.note ?? null, limit];
}

/** One page of history: $1 name or null, $2 before or null, $3 limit; newest first. */
export function historyQuery(names: TableNames): string {
  return `SELECT revision, name, version, at, action, actor, note, feature, previous
    FROM ${names.history}
    WHERE ($1::text IS NULL OR name = $1::text) AND ($2::bigint IS NULL OR revision < $2::bigint)
    ORDER BY revision DESC LIMIT $3::int`;
}

/** The parameters of {@link historyQuery} for a checked query. */
export function historyQueryParams(query: HistoryQuery & { limit: number }): unknown[] {
  return [query.name ?? null, query.before ?? null, query.limit];
}

/** A row of {@link historyQuery}. */
export interface HistoryRow {
  revision: string;
  name: string;
  version: string;
  at: Date;
  action: HistoryAction;
  actor: string | null;
  note: string | null;
  feature: unknown;
  previous: unknown;
}

/** An entry from its row; a document that does not validate is a CorruptDataError naming the row. */
export function decodeHistoryRow(names: TableNames, row: HistoryRow): HistoryEntry {
  const version = Number(row.version);
  const where = `${names.history} revision ${row.revision}`;
  return {
    revision: Number(row.revision),
    name: row.name,
    version,
    at: row.at.toISOString(),
    action: row.action,
    ...(row.actor === null ? {} : { actor: row.actor }),
    ...(row.note === null ? {} : { note: row.note }),
    feature: row.feature === null ? undefined : decodeRow(where, row.name, row.feature, version),
    previous:
      row.previous === null ? undefined : decodeRow(where, row.name, row.previous, version - 1),
  };
}
