import {
  type ApplyOptions,
  type ApplyResult,
  type Feature,
  type FeatureOperation,
  type FeatureStore,
  type HistoryEntry,
  type HistoryQuery,
  type StoreCapabilities,
  type StoreListener,
  type StoreSnapshot,
  ValidationError,
  validateFeatureName,
  type WriteContext,
} from '@rollout/core';
import {
  ClosedGuard,
  checkApplyArguments,
  checkExpectedVersion,
  checkHistoryQuery,
  checkWriteContext,
  versionConflict,
  writeAction,
} from '@rollout/core/store';
import type pg from 'pg';
import { applyInTransaction } from './apply-transaction.js';
import { ChangeFeed } from './change-feed.js';
import {
  decodeRow,
  decodeSnapshot,
  encodeFeature,
  type FeatureRow,
  type SnapshotRow,
  withListColumns,
} from './codec.js';
import {
  clientRunner,
  PoolConnection,
  type Statement,
  type StatementRunner,
} from './connection.js';
import { STORE_NAME, toStoreError } from './errors.js';
import {
  decodeHistoryRows,
  type HistoryRow,
  historyParams,
  historyQueryParams,
} from './history.js';
import { buildStatements, type Statements, type TableNames } from './layout.js';
import { migrate } from './migrations.js';
import { type PostgresStoreOptions, resolveOptions } from './options.js';

// State shared by a store and the views `withClient` makes of it.
interface Shared {
  readonly names: TableNames;
  readonly sql: Statements;
  readonly pool: PoolConnection;
  readonly migrate: boolean;
  readonly historyLimit: number;
  readonly capabilities: StoreCapabilities;
  readonly feed: ChangeFeed;
  // Closing the store closes every view with it.
  readonly guard: ClosedGuard;
  connecting: Promise<void> | undefined;
}

/**
 * Feature store on PostgreSQL (node-postgres).
 *
 * - One row per feature (`document jsonb`, `version bigint`), its user ids as rows of
 *   `<table>_ids` beside it, plus a single-row revision counter. Every write is one
 *   parameterized statement (an `apply` beyond list operations: one transaction) that
 *   does the compare-and-set, writes the ids, bumps the revision and sends `pg_notify`
 *   in the same transaction, so it is atomic across any number of processes and never
 *   half-applied. The same statement inserts the write's history row and trims the
 *   feature's oldest. Reads put documents and ids together in one statement.
 * - Changes are pushed with LISTEN/NOTIFY on a dedicated connection; when that
 *   connection is lost subscribers get `error`, and `resync` once it is back.
 * - Creates and upgrades its own tables under an advisory lock unless `migrate: false`.
 * - PostgreSQL down: every call rejects within `connectTimeoutMs` with
 *   StoreUnavailableError; nothing hangs and nothing retries behind your back.
 * - {@link PostgresStore.withClient} runs the store's statements on a client of
 *   yours, inside your transaction; a version conflict there never aborts it.
 */
export class PostgresStore implements FeatureStore {
  private shared: Shared;
  // Where statements run: the store's pool, or (on a view) the application's client.
  private runner: StatementRunner;
  // A view's own closed state; undefined on the store itself.
  private viewGuard: ClosedGuard | undefined;
  // A view's connection (the application's); undefined on the store itself.
  private viewClient: pg.ClientBase | undefined;

  /** Creates the store; nothing connects until the first call (or `connect()`). */
  constructor(options: PostgresStoreOptions) {
    const resolved = resolveOptions(options);
    const pool = new PoolConnection(resolved);
    this.shared = {
      names: resolved.names,
      sql: buildStatements(resolved.names),
      pool,
      migrate: resolved.migrate,
      historyLimit: resolved.historyLimit,
      capabilities: {
        push: true,
        multiProcess: true,
        durable: true,
        pollIntervalMs: resolved.pollIntervalMs,
        history: true,
        apply: true,
      },
      feed: new ChangeFeed({
        clientConfig: pool.listenConfig,
        channel: resolved.names.channel,
        maxBackoffMs: resolved.maxBackoffMs,
      }),
      guard: new ClosedGuard(STORE_NAME),
      connecting: undefined,
    };
    this.runner = pool;
    this.viewGuard = undefined;
    this.viewClient = undefined;
  }

  /** `postgres`. */
  get name(): string {
    return STORE_NAME;
  }

  /** push, multiProcess, durable and history. */
  get capabilities(): StoreCapabilities {
    return this.shared.capabilities;
  }

  /** The schema-qualified, quoted features table, e.g. `"public"."rollout_features"`. */
  get table(): string {
    return this.shared.names.features;
  }

  /** The LISTEN/NOTIFY channel the store notifies on. */
  get channel(): string {
    return this.shared.names.channel;
  }

  /**
   * A view of this store whose statements run on `client`, a connection of yours
   * (typically inside your transaction), while migrations and LISTEN keep using
   * the store's own connections. Writes through the view commit (and notify) with
   * your transaction, and a VersionConflictError from it leaves your transaction
   * usable: the statements never raise on a conflict. Closing the view closes
   * nothing; the store stays the owner of its connections.
   */
  withClient(client: pg.ClientBase): PostgresStore {
    if (typeof client !== 'object' || client === null || typeof client.query !== 'function') {
      throw new ValidationError(
        'client',
        client,
        'must be a pg.Client or a client checked out of a pg.Pool',
      );
    }
    // Not through the constructor: a view shares the store's state instead of opening its own.
    const view = Object.create(PostgresStore.prototype) as PostgresStore;
    view.shared = this.shared;
    view.runner = clientRunner(client);
    view.viewGuard = new ClosedGuard(STORE_NAME);
    view.viewClient = client;
    return view;
  }

  /**
   * Checks the tables (creating or upgrading them unless `migrate: false`).
   * Idempotent; every other member calls it first. Rejects with
   * StoreUnavailableError when PostgreSQL cannot be reached (and tries again on the next call).
   */
  async connect(): Promise<void> {
    this.assertOpen();
    const shared = this.shared;
    if (!shared.connecting) {
      shared.connecting = this.prepare().catch((error: unknown) => {
        shared.connecting = undefined;
        throw error;
      });
    }
    return shared.connecting;
  }

  /** Every feature and the revision they reflect, read in one statement (one MVCC snapshot). */
  async snapshot(): Promise<StoreSnapshot> {
    await this.connect();
    const { names, sql } = this.shared;
    const result = await this.query<SnapshotRow>({
      action: 'reading the snapshot',
      text: sql.snapshot,
      values: [],
    });
    return decodeSnapshot(names.features, result.rows);
  }

  /** One feature, or undefined when it does not exist (also for names no feature can have). */
  async get(name: string): Promise<Feature | undefined> {
    this.assertOpen();
    if (!isFeatureName(name)) return undefined;
    await this.connect();
    const { names, sql } = this.shared;
    const result = await this.query<FeatureRow>({
      action: `reading feature ${JSON.stringify(name)}`,
      text: sql.get,
      values: [name],
    });
    const row = result.rows[0];
    if (!row) return undefined;
    return decodeRow(names.features, name, withListColumns(row.document, row), row.version);
  }

  /** The current revision (0 before the first write). One indexed single-row read. */
  async revision(): Promise<number> {
    await this.connect();
    const result = await this.query<{ revision: string }>({
      action: 'reading the revision',
      text: this.shared.sql.revision,
      values: [],
    });
    return Number(result.rows[0]?.revision ?? 0);
  }

  /**
   * Compare-and-set write in one statement: INSERT ... ON CONFLICT DO NOTHING for
   * `expectedVersion` 0, UPDATE ... WHERE version = expectedVersion otherwise; the
   * revision bump and the notification commit with it. The feature is validated
   * first (ValidationError). Throws VersionConflictError when the stored version differs.
   */
  async put(feature: Feature, expectedVersion: number, context?: WriteContext): Promise<Feature> {
    this.assertOpen();
    checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    const { feature: clean, document } = encodeFeature(feature);
    await this.connect();
    const { sql, names, historyLimit } = this.shared;
    const name = clean.name;
    const history = historyParams(checked, writeAction(checked, { expectedVersion }), historyLimit);
    const result = await this.query<{ version: string }>({
      action: `writing feature ${JSON.stringify(name)}`,
      ...(expectedVersion === 0
        ? { text: sql.insert, values: [name, document, names.channel, ...history] }
        : {
            text: sql.update,
            values: [name, document, expectedVersion, names.channel, ...history],
          }),
      write: true,
      feature: name,
    });
    const row = result.rows[0];
    // No row: the insert found the feature there, or the update found another version.
    if (!row) throw versionConflict(STORE_NAME, name, expectedVersion);
    return { ...clean, version: Number(row.version) };
  }

  /**
   * Applies the operations without reading or writing the id lists whole: list operations
   * (ids and groups added or removed) in one statement that locks the feature's row only
   * while the server runs it; anything else in one transaction that locks the row
   * (`SELECT ... FOR UPDATE`) and writes the document and the ids it names. Either way the
   * revision bump, a compact history row and the notification commit with the write, and
   * concurrent writers queue on the lock: nothing to retry. The result has `changed`,
   * `version`, `createdAt` and `revision`, and the record only for a creation. On a
   * `withClient` view the statements run on your connection, in your transaction. See
   * FeatureStore.apply and the README's "What is atomic".
   */
  async apply(
    name: string,
    operations: readonly FeatureOperation[],
    options: ApplyOptions = {},
    context?: WriteContext,
  ): Promise<ApplyResult> {
    this.assertOpen();
    const checked = checkApplyArguments(name, operations, context);
    const checkedName = checked.name;
    await this.connect();
    this.assertOpen();
    const action = `applying operations to feature ${JSON.stringify(checkedName)}`;
    const run = (client: pg.ClientBase, ownTransaction: boolean) =>
      applyInTransaction(this.shared, { client, ownTransaction }, checked, options);
    const fail = (error: unknown, sent: boolean) =>
      toStoreError(error, action, { feature: checkedName, inFlightWrite: sent });
    if (this.viewClient) {
      try {
        return await run(this.viewClient, false);
      } catch (error) {
        throw fail(error, true);
      }
    }
    return this.shared.pool.withClient((client) => run(client, true), fail);
  }

  /**
   * Compare-and-delete in one statement (the revision bump and notification commit
   * with it). False when there was nothing to remove; VersionConflictError when the
   * stored version is not `expectedVersion`.
   */
  async remove(name: string, expectedVersion?: number, context?: WriteContext): Promise<boolean> {
    this.assertOpen();
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    if (!isFeatureName(name)) {
      // No feature can have this name, so there is nothing to remove.
      if (expectedVersion === undefined || expectedVersion === 0) return false;
      throw versionConflict(STORE_NAME, String(name), expectedVersion, 0);
    }
    await this.connect();
    const { sql, names, historyLimit } = this.shared;
    const history = historyParams(checked, writeAction(checked, { remove: true }), historyLimit);
    // Without an expected version the statement deletes the version its snapshot saw (so
    // the history row holds exactly the record removed); a write committed in between
    // makes it delete nothing, and it runs again on a newer snapshot.
    for (let attempt = 0; ; attempt++) {
      const result = await this.query<{ revision: string | null; current: string | null }>({
        action: `removing feature ${JSON.stringify(name)}`,
        text: sql.remove,
        values: [name, expectedVersion ?? null, names.channel, ...history],
        write: true,
        feature: name,
      });
      const row = result.rows[0];
      if (row?.revision != null) return true;
      const exists = (row?.current ?? null) !== null;
      if (expectedVersion === undefined) {
        if (!exists) return false;
        if (attempt < REMOVE_ATTEMPTS) continue;
        throw versionConflict(STORE_NAME, name, Number(row?.current));
      }
      if (!exists && expectedVersion === 0) return false;
      // `current` comes from the statement's snapshot, which a concurrent writer may
      // have moved past: name it only when the feature is gone.
      throw versionConflict(STORE_NAME, name, expectedVersion, exists ? undefined : 0);
    }
  }

  /** A page of the history table, newest first (one indexed statement); see FeatureStore.history. */
  async history(query?: HistoryQuery): Promise<HistoryEntry[]> {
    this.assertOpen();
    const checked = checkHistoryQuery(query);
    await this.connect();
    const { sql, names } = this.shared;
    const result = await this.query<HistoryRow>({
      action: 'reading the history',
      text: sql.history,
      values: historyQueryParams(checked),
    });
    return decodeHistoryRows(names, result.rows);
  }

  /**
   * Pushes every change made by any process (LISTEN on a dedicated connection,
   * opened with the first subscriber). Resolves once the first LISTEN attempt
   * finished; if PostgreSQL is down the listener gets `error` and, once the
   * connection is back, `resync`.
   */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.assertOpen();
    return this.shared.feed.add(listener);
  }

  /**
   * Stops listening and, when the store opened its own pool, ends it. A pool or
   * client you passed is never ended. A second call does nothing more. On a
   * `withClient` view it only closes the view.
   */
  async close(): Promise<void> {
    if (this.viewGuard) return this.viewGuard.close();
    const shared = this.shared;
    return shared.guard.close(async () => {
      await shared.feed.close();
      await shared.connecting?.catch(() => undefined);
      await shared.pool.end();
    });
  }

  // Throws ClosedError once the store, or this view of it, was closed.
  private assertOpen(): void {
    this.shared.guard.assertOpen();
    this.viewGuard?.assertOpen();
  }

  // Migrations always run on a pool connection of the store, never in a caller's transaction.
  private prepare(): Promise<void> {
    const { names, migrate: allowed, pool } = this.shared;
    return pool.withClient(
      (client) => migrate(client, names, allowed),
      (error, sent) =>
        toStoreError(error, sent ? `preparing the tables ${names.features}` : 'connecting'),
    );
  }

  // Checks again that the store is open: it may have closed while `connect()` was waiting.
  private query<R extends pg.QueryResultRow>(statement: Statement): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    return this.runner.run<R>(statement);
  }
}

// Each attempt of a remove without expected version fails only because another write
// committed meanwhile, so running out of them takes a write storm on this one feature.
const REMOVE_ATTEMPTS = 100;

function isFeatureName(name: unknown): name is string {
  try {
    validateFeatureName(name);
    return true;
  } catch {
    return false;
  }
}
