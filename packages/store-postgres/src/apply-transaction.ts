import {
  type ApplyOptions,
  type ApplyResult,
  applyOperations,
  type Feature,
  type FeatureOperation,
  type WriteContext,
} from '@rollout/core';
import { versionConflict, writeAction } from '@rollout/core/store';
import type pg from 'pg';
import { decodeRow, encodeFeature } from './codec.js';
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
 * `apply` as one transaction: `SELECT ... FOR UPDATE` locks the feature's row, core's
 * `applyOperations` computes the record, and the store's own write statement writes it
 * with its revision bump, history row and notification, in the same transaction. Writers
 * of the same feature queue on the row lock instead of conflicting: no retry loop. The
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
  const attempts = ownTransaction ? 2 : VIEW_ATTEMPTS;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (ownTransaction) await client.query('BEGIN');
    try {
      const outcome = await applyOnce(target, client, name, operations, options, context);
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
  client: pg.ClientBase,
  name: string,
  operations: readonly FeatureOperation[],
  options: ApplyOptions,
  context: WriteContext,
): Promise<ApplyResult | undefined> {
  const { names, sql, historyLimit } = target;
  const locked = await client.query<{ document: unknown; version: string }>({
    text: sql.lock,
    values: [name],
  });
  const row = locked.rows[0];
  const current: Feature | undefined = row
    ? decodeRow(names.features, name, row.document, row.version)
    : undefined;
  const result = applyOperations(name, current, operations, options);
  if (!result.changed) {
    const { version, createdAt } = result.feature;
    return { feature: result.feature, changed: false, version, createdAt };
  }
  const { feature, document } = encodeFeature(result.feature);
  const expectedVersion = current?.version ?? 0;
  const history = historyParams(context, writeAction(context, { expectedVersion }), historyLimit);
  const written = await client.query<{ version: string }>(
    current
      ? {
          text: sql.update,
          values: [name, document, expectedVersion, names.channel, ...history],
        }
      : { text: sql.insert, values: [name, document, names.channel, ...history] },
  );
  const version = written.rows[0]?.version;
  if (version === undefined) return undefined;
  const stored = { ...feature, version: Number(version) };
  return { feature: stored, changed: true, version: stored.version, createdAt: stored.createdAt };
}
