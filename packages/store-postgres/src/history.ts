import {
  CorruptDataError,
  type Feature,
  type HistoryAction,
  type HistoryEntry,
  type HistoryQuery,
  type WriteContext,
} from '@rollout/core';
import {
  DELTA_LISTS,
  type DeltaList,
  type HistoryDelta,
  type ListDelta,
  reconstructHistory,
  type StoredHistoryEntry,
} from '@rollout/core/store';
import { decodeRow, withListColumns } from './codec.js';
import { STORE_NAME } from './errors.js';
import { listColumns, type TableNames } from './layout.js';

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

/**
 * One page of history and what rebuilding it needs, in ONE statement (one MVCC
 * snapshot): $1 name or null, $2 before or null, $3 limit. Rows of kind `h` are history
 * rows, newest first: the page's (`in_page`) and, for every feature with a compact
 * (`delta`) row on the page, all of its rows newer than the page; rows of kind `f` are
 * those features' current records, lists included. From these, reconstructHistory
 * walks each compact row back from the current record.
 */
export function historyQuery(names: TableNames): string {
  const { history, features } = names;
  return `WITH page AS (
      SELECT revision, name, delta IS NOT NULL AS compact FROM ${history}
      WHERE ($1::text IS NULL OR name = $1::text) AND ($2::bigint IS NULL OR revision < $2::bigint)
      ORDER BY revision DESC LIMIT $3::int
    ), walk AS (
      SELECT name, min(revision) AS low FROM page GROUP BY name HAVING bool_or(compact)
    )
    SELECT 'h' AS kind, h.revision, h.name, h.version, h.at, h.action, h.actor, h.note,
      h.feature, h.previous, h.delta, h.revision IN (SELECT revision FROM page) AS in_page,
      NULL::json AS users, NULL::json AS excluded
    FROM ${history} h
    WHERE h.revision IN (SELECT revision FROM page)
      OR (h.name IN (SELECT name FROM walk) AND h.revision > (SELECT low FROM walk WHERE walk.name = h.name))
    UNION ALL
    SELECT 'f', NULL, f.name, f.version, NULL, NULL, NULL, NULL, f.document, NULL, NULL, false,
      ${listColumns(names, 'f')}
    FROM ${features} f WHERE f.name IN (SELECT name FROM walk)
    ORDER BY revision DESC NULLS FIRST`;
}

/** The parameters of {@link historyQuery} for a checked query. */
export function historyQueryParams(query: HistoryQuery & { limit: number }): unknown[] {
  return [query.name ?? null, query.before ?? null, query.limit];
}

/** A row of {@link historyQuery}. */
export interface HistoryRow {
  kind: 'h' | 'f';
  revision: string | null;
  name: string;
  version: string;
  at: Date | null;
  action: HistoryAction | null;
  actor: string | null;
  note: string | null;
  feature: unknown;
  previous: unknown;
  delta: unknown;
  in_page: boolean;
  users: unknown;
  excluded: unknown;
}

/**
 * The page's entries from the rows of {@link historyQuery}: whole rows as they are,
 * compact ones rebuilt by the kit's reconstructHistory from the current records. A
 * document or delta that does not validate is a CorruptDataError naming the row.
 */
export function decodeHistoryRows(names: TableNames, rows: readonly HistoryRow[]): HistoryEntry[] {
  const current = new Map<string, Feature | undefined>();
  const stored: StoredHistoryEntry[] = [];
  const wanted = new Set<StoredHistoryEntry>();
  for (const row of rows) {
    if (row.kind === 'f') {
      const document = withListColumns(row.feature, row);
      current.set(row.name, decodeRow(names.features, row.name, document, row.version));
      continue;
    }
    const entry = decodeStoredRow(names, row);
    stored.push(entry);
    if (row.in_page) wanted.add(entry);
  }
  // Only pages with compact rows need the walk (and only then are `f` rows read).
  if (stored.every((e) => !('delta' in e)))
    return stored.filter((e) => wanted.has(e)) as HistoryEntry[];
  try {
    return reconstructHistory(stored, current, (e) => wanted.has(e));
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, names.history, (error as Error).message, {
      cause: error,
    });
  }
}

function decodeStoredRow(names: TableNames, row: HistoryRow): StoredHistoryEntry {
  const version = Number(row.version);
  const where = `${names.history} revision ${row.revision}`;
  const head = {
    revision: Number(row.revision),
    name: row.name,
    version,
    at: (row.at as Date).toISOString(),
    action: row.action as HistoryAction,
    ...(row.actor === null ? {} : { actor: row.actor }),
    ...(row.note === null ? {} : { note: row.note }),
  };
  const feature =
    row.feature === null ? undefined : decodeRow(where, row.name, row.feature, version);
  const previous =
    row.previous === null ? undefined : decodeRow(where, row.name, row.previous, version - 1);
  if (row.delta === null) return { ...head, feature, previous };
  if (!feature) throw new CorruptDataError(STORE_NAME, where, 'a compact row without its document');
  return {
    ...head,
    delta: { after: feature, before: previous, lists: decodeDelta(where, row.delta) },
  };
}

// `{ users: { added: [...], removed: [...] }, excludedUsers: ... }`, each list optional.
function decodeDelta(where: string, value: unknown): HistoryDelta['lists'] {
  const lists: Partial<Record<DeltaList, ListDelta>> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CorruptDataError(STORE_NAME, where, 'delta is not a JSON object');
  for (const [list, change] of Object.entries(value)) {
    const c = change as { added?: unknown; removed?: unknown } | null;
    if (
      !(DELTA_LISTS as readonly string[]).includes(list) ||
      !isStringList(c?.added) ||
      !isStringList(c?.removed)
    )
      throw new CorruptDataError(
        STORE_NAME,
        where,
        `delta.${list} is not { added, removed } of ids`,
      );
    lists[list as DeltaList] = { added: c.added, removed: c.removed };
  }
  return lists;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
