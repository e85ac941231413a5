import {
  type ApplyOptions,
  type ApplyResult,
  applyOperations,
  type FeatureOperation,
  type WriteContext,
} from '@rollout/core';
import { versionConflict, writeAction } from '@rollout/core/store';
import type pg from 'pg';
import {
  checkListLimits,
  ID_LISTS,
  type IdList,
  type ListedIds,
  type ListPlan,
  planApply,
  planLists,
} from './apply-plan.js';
import { checkStorable, decodeRow, encodeApplyDocument, encodeFeature } from './codec.js';
import { statementName } from './connection.js';
import { STORE_NAME } from './errors.js';
import { historyParams } from './history.js';
import type { Statements, TableNames } from './layout.js';

/** What one `apply` needs of the store. */
export interface ApplyTarget {
  readonly names: TableNames;
  readonly sql: Statements;
  readonly historyLimit: number;
}

/** How the statements of one `apply` run. */
export interface ApplyConnection {
  readonly client: pg.ClientBase;
  /**
   * True: the store opened the connection, so `apply` wraps its statements in its own
   * transaction. False: the application's connection (a `withClient` view), whose
   * transaction, if any, is the application's.
   */
  readonly ownTransaction: boolean;
}

// Only a view's connection outside any transaction can see a row change between the
// locking read and the write; an attempt there is a plain compare-and-set.
const VIEW_ATTEMPTS = 100;

/**
 * `apply` as one transaction: `SELECT ... FOR UPDATE` locks the feature's row (its
 * document, without the id lists), {@link planApply} computes the new document and the
 * ids to add and remove, and one statement writes them: the id rows, the row's version,
 * the revision bump, a compact history row and the notification. Nothing reads or
 * writes the lists whole, so the cost does not grow with the users listed. Writers of
 * the same feature queue on the row lock instead of conflicting: no retry loop. The
 * one exception is a feature that does not exist yet, which no row lock can hold: when
 * another writer creates it first the insert finds it there, and the transaction starts
 * over once, now locking the row that exists.
 */
export async function applyInTransaction(
  target: ApplyTarget,
  connection: ApplyConnection,
  checked: { name: string; operations: readonly FeatureOperation[]; context: WriteContext },
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { client, ownTransaction } = connection;
  const { name, operations, context } = checked;
  // List operations on the store's own connection: one statement, see applyListsStatement.
  // It declines (nothing written) when the feature is missing or a limit is near, and
  // this transaction does the work. Not on a view: the statement would commit, or fail,
  // inside the application's transaction in ways the transaction path avoids.
  const lists = ownTransaction ? planLists(operations) : undefined;
  if (lists) {
    const done = await applyLists(target, connection, name, lists, options, context);
    if (done) return done;
  }
  const attempts = ownTransaction ? 2 : VIEW_ATTEMPTS;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (ownTransaction) await client.query('BEGIN');
    try {
      const outcome = await applyOnce(target, connection, name, operations, options, context);
      if (ownTransaction) await client.query(outcome ? 'COMMIT' : 'ROLLBACK');
      if (outcome) return outcome;
    } catch (error) {
      if (ownTransaction) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  throw versionConflict(STORE_NAME, name, 0);
}

// The result, or undefined when the write found the row changed (created meanwhile).
async function applyOnce(
  target: ApplyTarget,
  connection: ApplyConnection,
  name: string,
  operations: readonly FeatureOperation[],
  options: ApplyOptions,
  context: WriteContext,
): Promise<ApplyResult | undefined> {
  const { names, sql, historyLimit } = target;
  const locked = await run<LockedRow>(connection, sql.lock, [name]);
  const row = locked.rows[0];
  if (!row) return create(target, connection, name, operations, options, context);
  const current = decodeRow(names.features, name, row.document, row.version);
  const plan = planApply(name, current, operations, options);
  await checkListLimits(
    plan,
    { users: row.users_count, excludedUsers: row.excluded_count },
    (ids) => present(connection, sql, name, ids),
  );
  const add: ListedIds = [];
  const remove: ListedIds = [];
  const replaced: IdList[] = [];
  for (const list of ID_LISTS) {
    const change = plan.lists[list];
    for (const id of change.add) add.push({ list, id });
    for (const id of change.remove) remove.push({ list, id });
    if (change.replaced) replaced.push(list);
  }
  const document = encodeApplyDocument(
    plan.document,
    add.map((a) => a.id),
  );
  const history = historyParams(
    context,
    writeAction(context, { expectedVersion: current.version }),
    historyLimit,
  );
  const written = await run<WrittenRow>(connection, sql.apply, [
    name,
    document,
    current.version,
    names.channel,
    ...history,
    add.map((a) => a.list),
    add.map((a) => a.id),
    remove.map((r) => r.list),
    remove.map((r) => r.id),
    replaced,
    plan.documentChanged,
  ]);
  const result = written.rows[0];
  if (!result?.held) return undefined;
  const { createdAt } = current;
  if (result.version === null) return { changed: false, version: current.version, createdAt };
  return {
    changed: true,
    version: Number(result.version),
    createdAt,
    revision: Number(result.revision),
  };
}

// The one-statement path; undefined when it declined (nothing was written).
async function applyLists(
  target: ApplyTarget,
  connection: ApplyConnection,
  name: string,
  plan: ListPlan,
  options: ApplyOptions,
  context: WriteContext,
): Promise<ApplyResult | undefined> {
  const { names, sql, historyLimit } = target;
  const add: ListedIds = [];
  const remove: ListedIds = [];
  for (const list of ID_LISTS) {
    for (const id of plan[list].add) add.push({ list, id });
    for (const id of plan[list].remove) remove.push({ list, id });
  }
  checkStorable([...add, ...remove].map((a) => a.id));
  checkStorable([...plan.groups.add, ...plan.groups.remove]);
  // Only a feature that exists gets here: an update.
  const history = historyParams(
    context,
    writeAction(context, { expectedVersion: 1 }),
    historyLimit,
  );
  const now = options.now ?? new Date().toISOString();
  const written = await run<ListsRow>(connection, sql.applyLists, [
    name,
    names.channel,
    ...history,
    add.map((a) => a.list),
    add.map((a) => a.id),
    remove.map((r) => r.list),
    remove.map((r) => r.id),
    [...plan.groups.add],
    [...plan.groups.remove],
    now,
  ]);
  const row = written.rows[0];
  if (!row || row.current === null || !row.fine || row.created_at === null) return undefined;
  const createdAt = row.created_at;
  if (row.version === null) return { changed: false, version: Number(row.current), createdAt };
  return {
    changed: true,
    version: Number(row.version),
    createdAt,
    revision: Number(row.revision),
  };
}

// The feature does not exist: create it (when asked) with the store's insert, whole.
async function create(
  target: ApplyTarget,
  connection: ApplyConnection,
  name: string,
  operations: readonly FeatureOperation[],
  options: ApplyOptions,
  context: WriteContext,
): Promise<ApplyResult | undefined> {
  const { names, sql, historyLimit } = target;
  const result = applyOperations(name, undefined, operations, options);
  const { feature, document } = encodeFeature(result.feature);
  const history = historyParams(
    context,
    writeAction(context, { expectedVersion: 0 }),
    historyLimit,
  );
  const written = await run<{ version: string; revision: string }>(connection, sql.insert, [
    name,
    document,
    names.channel,
    ...history,
  ]);
  const row = written.rows[0];
  if (!row) return undefined;
  const version = Number(row.version);
  return {
    changed: true,
    version,
    createdAt: feature.createdAt,
    revision: Number(row.revision),
    // At hand anyway: the record was computed whole.
    feature: { ...feature, version },
  };
}

// How many of `ids` are on their list, per list.
async function present(
  connection: ApplyConnection,
  sql: Statements,
  name: string,
  ids: ListedIds,
): Promise<Record<IdList, number>> {
  const counts: Record<IdList, number> = { users: 0, excludedUsers: 0 };
  if (ids.length === 0) return counts;
  const result = await run<{ list: IdList; present: number }>(connection, sql.present, [
    name,
    ids.map((i) => i.list),
    ids.map((i) => i.id),
  ]);
  for (const row of result.rows) counts[row.list] = row.present;
  return counts;
}

interface LockedRow {
  document: unknown;
  version: string;
  users_count: number;
  excluded_count: number;
}

interface WrittenRow {
  version: string | null;
  revision: string | null;
  held: boolean;
}

interface ListsRow {
  current: string | null;
  fine: boolean | null;
  created_at: string | null;
  version: string | null;
  revision: string | null;
}

// One statement of an apply: prepared (see statementName) on the store's own pool
// connections; plain on a view's connection, which is the application's to manage.
function run<R extends pg.QueryResultRow>(
  connection: ApplyConnection,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  const name = connection.ownTransaction ? statementName(text) : undefined;
  return connection.client.query<R>({ ...(name === undefined ? {} : { name }), text, values });
}
