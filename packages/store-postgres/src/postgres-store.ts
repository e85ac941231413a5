import {
  type Feature,
  type FeatureStore,
  parseFeature,
  type StoreCapabilities,
  StoreError,
  type StoreListener,
  type StoreSnapshot,
  ValidationError,
  VersionConflictError,
  validateFeatureName,
} from '@rollout/core';
import pg from 'pg';
import { decodeRow, encodeDocument } from './feature-codec.js';
import { type TableNames, tableNames } from './identifiers.js';
import { migrate } from './migrations.js';
import { NotifyListener } from './notify-listener.js';
import { isConnectionBroken, STORE_NAME, toStoreError } from './pg-errors.js';
import { buildStatements, type Statements } from './statements.js';

/** Options of {@link PostgresStore}. Give exactly one of `connectionString` and `pool`. */
export interface PostgresStoreOptions {
  /**
   * A libpq-style URL (`postgres://user:pass@host:5432/db?sslmode=require`). The
   * store opens its own pool from it and ends that pool on `close()`.
   */
  connectionString?: string;
  /** A `pg.Pool` the application already has. The store uses it and never ends it. */
  pool?: pg.Pool;
  /** Schema of the store's tables. Default `public`. A plain identifier; always quoted. */
  schema?: string;
  /**
   * Name of the features table; the store also creates `<table>_revision` and
   * `<table>_schema_versions` beside it. Default `rollout_features`. A plain identifier (at most 47 characters); always quoted.
   */
  table?: string;
  /**
   * Create and upgrade the tables on first use, under an advisory lock. Default true.
   * With false the store only checks the schema version and tells you which
   * `sql/*.sql` file to apply.
   */
  migrate?: boolean;
  /**
   * Where to open the dedicated LISTEN connection, when it must differ from the
   * pool's server (e.g. the pool goes through PgBouncer in transaction mode, which
   * cannot LISTEN). Default: the pool's own connection settings.
   */
  listenConnectionString?: string;
  /** Most connections of the store's own pool. Default 10. Ignored with `pool`. */
  poolSize?: number;
  /** How long to wait for a connection before failing with StoreUnavailableError, in ms. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * Longest a statement may run before it fails with StoreUnavailableError, in ms
   * (server-side statement_timeout on the store's own pool, client-side read
   * timeout on every query). Default 10000.
   */
  queryTimeoutMs?: number;
  /** Longest wait between reconnection attempts of the LISTEN connection, in ms. Default 5000. */
  maxBackoffMs?: number;
  /** `capabilities.pollIntervalMs`: how often clients poll the revision as a safety net. Default 5000. */
  pollIntervalMs?: number;
}

/** A node-postgres connection the store can run a statement on. */
type Queryable = Pick<pg.ClientBase, 'query'>;

interface RunOptions {
  /** The statement changes data: losing the connection mid-flight leaves its outcome unknown. */
  write?: boolean;
  /** The feature concerned, for VersionConflictError on serialization failures. */
  feature?: string;
}

// State shared by a store and the views `withClient` makes of it.
interface Shared {
  readonly names: TableNames;
  readonly sql: Statements;
  readonly pool: pg.Pool;
  readonly ownsPool: boolean;
  readonly migrate: boolean;
  readonly queryTimeoutMs: number;
  readonly capabilities: StoreCapabilities;
  readonly notify: NotifyListener;
  connecting: Promise<void> | undefined;
  closed: boolean;
}

const DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 5000,
  queryTimeoutMs: 10_000,
  maxBackoffMs: 5000,
  pollIntervalMs: 5000,
};

/**
 * Feature store on PostgreSQL (node-postgres).
 *
 * - One row per feature (`document jsonb`, `version bigint`) plus a single-row
 *   revision counter. Every write is one parameterized statement that does the
 *   compare-and-set, bumps the revision and sends `pg_notify` in the same
 *   transaction, so it is atomic across any number of processes and never half-applied.
 * - Changes are pushed with LISTEN/NOTIFY on a dedicated connection; when that
 *   connection is lost subscribers get `error`, and `resync` once it is back.
 * - Creates and upgrades its own tables under an advisory lock unless `migrate: false`.
 * - PostgreSQL down: every call rejects within `connectTimeoutMs` with
 *   StoreUnavailableError; nothing hangs and nothing retries behind your back.
 * - {@link PostgresStore.withClient} runs the store's statements on a client of
 *   yours, inside your transaction; a version conflict there never aborts it.
 */
export class PostgresStore implements FeatureStore {
  // Not constructor-initialized fields: `withClient` builds views with Object.create.
  private shared!: Shared;
  // The application's client a view runs on; undefined for the store itself.
  private bound: pg.ClientBase | undefined;
  private viewClosed = false;

  /** Creates the store; nothing connects until the first call (or `connect()`). */
  constructor(options: PostgresStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('options', options, 'pass { connectionString } or { pool }');
    }
    const hasUrl = options.connectionString !== undefined;
    const hasPool = options.pool !== undefined;
    if (hasUrl === hasPool) {
      throw new ValidationError(
        'options',
        options,
        'pass exactly one of connectionString and pool',
      );
    }
    if (
      hasUrl &&
      (typeof options.connectionString !== 'string' || options.connectionString === '')
    ) {
      throw new ValidationError(
        'connectionString',
        options.connectionString,
        'must be a non-empty string',
      );
    }
    if (hasPool && typeof (options.pool as { connect?: unknown }).connect !== 'function') {
      throw new ValidationError('pool', options.pool, 'must be a pg.Pool');
    }
    const names = tableNames(options.schema, options.table);
    const poolSize = positive(options.poolSize, DEFAULTS.poolSize, 'poolSize');
    const connectTimeoutMs = positive(
      options.connectTimeoutMs,
      DEFAULTS.connectTimeoutMs,
      'connectTimeoutMs',
    );
    const queryTimeoutMs = positive(
      options.queryTimeoutMs,
      DEFAULTS.queryTimeoutMs,
      'queryTimeoutMs',
    );
    const maxBackoffMs = positive(options.maxBackoffMs, DEFAULTS.maxBackoffMs, 'maxBackoffMs');
    const pollIntervalMs = positive(
      options.pollIntervalMs,
      DEFAULTS.pollIntervalMs,
      'pollIntervalMs',
    );
    if (options.migrate !== undefined && typeof options.migrate !== 'boolean') {
      throw new ValidationError('migrate', options.migrate, 'must be true or false');
    }

    let pool: pg.Pool;
    let listenConfig: pg.ClientConfig;
    if (options.pool) {
      pool = options.pool;
      listenConfig = {
        ...pool.options,
        connectionTimeoutMillis: pool.options.connectionTimeoutMillis || connectTimeoutMs,
        keepAlive: true,
      };
    } else {
      const base: pg.ClientConfig = {
        connectionString: options.connectionString,
        connectionTimeoutMillis: connectTimeoutMs,
        // The server cancels a runaway statement itself (so it is surely not applied)
        // a little before the client gives up waiting for it.
        statement_timeout: queryTimeoutMs,
        query_timeout: queryTimeoutMs + 1000,
        keepAlive: true,
        application_name: 'rollout',
      };
      pool = new pg.Pool({
        ...base,
        max: poolSize,
        idleTimeoutMillis: 10_000,
        allowExitOnIdle: true,
      });
      // An idle connection dying (server restart) is reported here; the pool drops
      // it by itself and the next call reconnects, so this is not an error to raise.
      pool.on('error', () => undefined);
      // pg-pool stops listening to a new connection's errors when it hands it out, and
      // a shutdown message can arrive in the same read as the end of the handshake,
      // before the store attaches its own listener: keep one on every connection.
      pool.on('connect', (client) => client.on('error', () => undefined));
      listenConfig = { ...base, statement_timeout: undefined };
    }
    if (options.listenConnectionString !== undefined) {
      listenConfig = { ...listenConfig, connectionString: options.listenConnectionString };
      delete listenConfig.host;
      delete listenConfig.port;
      delete listenConfig.database;
    }
    this.shared = {
      names,
      sql: buildStatements(names),
      pool,
      ownsPool: !options.pool,
      migrate: options.migrate ?? true,
      queryTimeoutMs,
      capabilities: {
        push: true,
        multiProcess: true,
        durable: true,
        pollIntervalMs,
        history: false,
      },
      notify: new NotifyListener({
        clientConfig: listenConfig,
        channel: names.channel,
        maxBackoffMs,
      }),
      connecting: undefined,
      closed: false,
    };
  }

  /** `postgres`. */
  get name(): string {
    return STORE_NAME;
  }

  /** push, multiProcess and durable; no history. */
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
    const view = Object.create(PostgresStore.prototype) as PostgresStore;
    view.shared = this.shared;
    view.bound = client;
    view.viewClosed = false;
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
    const result = await this.run<{
      revision: string;
      name: string | null;
      document: unknown;
      version: string | null;
    }>('reading the snapshot', sql.snapshot, []);
    const features: Feature[] = [];
    for (const row of result.rows) {
      if (row.name !== null)
        features.push(decodeRow(names.features, row.name, row.document, row.version));
    }
    return { revision: Number(result.rows[0]?.revision ?? 0), features };
  }

  /** One feature, or undefined when it does not exist (also for names no feature can have). */
  async get(name: string): Promise<Feature | undefined> {
    if (!isFeatureName(name)) return undefined;
    await this.connect();
    const { names, sql } = this.shared;
    const result = await this.run<{ document: unknown; version: string }>(
      `reading feature ${JSON.stringify(name)}`,
      sql.get,
      [name],
    );
    const row = result.rows[0];
    return row ? decodeRow(names.features, name, row.document, row.version) : undefined;
  }

  /** The current revision (0 before the first write). One indexed single-row read. */
  async revision(): Promise<number> {
    await this.connect();
    const result = await this.run<{ revision: string }>(
      'reading the revision',
      this.shared.sql.revision,
      [],
    );
    return Number(result.rows[0]?.revision ?? 0);
  }

  /**
   * Compare-and-set write in one statement: INSERT ... ON CONFLICT DO NOTHING for
   * `expectedVersion` 0, UPDATE ... WHERE version = expectedVersion otherwise; the
   * revision bump and the notification commit with it. The feature is validated
   * first (ValidationError). Throws VersionConflictError when the stored version differs.
   */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    this.assertOpen();
    checkVersion(expectedVersion);
    if (typeof feature !== 'object' || feature === null) {
      throw new ValidationError('feature', feature, 'must be a feature object');
    }
    const { version: _ignored, ...fields } = feature;
    const clean = parseFeature(fields);
    const document = encodeDocument(clean);
    await this.connect();
    const { sql, names } = this.shared;
    const action = `writing feature ${JSON.stringify(clean.name)}`;
    const result =
      expectedVersion === 0
        ? await this.run<{ version: string }>(
            action,
            sql.insert,
            [clean.name, document, names.channel],
            {
              write: true,
              feature: clean.name,
            },
          )
        : await this.run<{ version: string }>(
            action,
            sql.update,
            [clean.name, document, expectedVersion, names.channel],
            { write: true, feature: clean.name },
          );
    const row = result.rows[0];
    if (!row) throw conflict(clean.name, expectedVersion);
    clean.version = Number(row.version);
    return clean;
  }

  /**
   * Compare-and-delete in one statement (the revision bump and notification commit
   * with it). False when there was nothing to remove; VersionConflictError when the
   * stored version is not `expectedVersion`.
   */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    this.assertOpen();
    if (expectedVersion !== undefined) checkVersion(expectedVersion);
    if (!isFeatureName(name)) {
      // No feature can have this name, so there is nothing to remove.
      if (expectedVersion === undefined || expectedVersion === 0) return false;
      throw conflict(String(name), expectedVersion, false);
    }
    await this.connect();
    const { sql, names } = this.shared;
    const result = await this.run<{ revision: string | null; current: string | null }>(
      `removing feature ${JSON.stringify(name)}`,
      sql.remove,
      [name, expectedVersion ?? null, names.channel],
      { write: true, feature: name },
    );
    const row = result.rows[0];
    if (row?.revision != null) return true;
    if (expectedVersion === undefined) return false;
    const exists = (row?.current ?? null) !== null;
    if (!exists && expectedVersion === 0) return false;
    throw conflict(name, expectedVersion, exists);
  }

  /**
   * Pushes every change made by any process (LISTEN on a dedicated connection,
   * opened with the first subscriber). Resolves once the first LISTEN attempt
   * finished; if PostgreSQL is down the listener gets `error` and, once the
   * connection is back, `resync`.
   */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.assertOpen();
    const notify = this.shared.notify;
    await notify.add(listener);
    return () => notify.remove(listener);
  }

  /**
   * Stops listening and, when the store opened its own pool, ends it. A pool or
   * client you passed is never ended. Idempotent. On a `withClient` view it only
   * closes the view.
   */
  async close(): Promise<void> {
    if (this.bound) {
      this.viewClosed = true;
      return;
    }
    const shared = this.shared;
    if (shared.closed) return;
    shared.closed = true;
    await shared.notify.close();
    await shared.connecting?.catch(() => undefined);
    if (shared.ownsPool) await shared.pool.end().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.shared.closed || this.viewClosed) {
      throw new StoreError(STORE_NAME, 'the store is closed', { code: 'CLOSED' });
    }
  }

  // Migrations always run on a pool connection of the store, never in a caller's transaction.
  private prepare(): Promise<void> {
    const { names, migrate: allowed } = this.shared;
    return this.withPoolClient(
      (client) => migrate(client, names, allowed),
      (error, sent) =>
        toStoreError(error, sent ? `preparing the tables ${names.features}` : 'connecting'),
    );
  }

  private async run<R extends pg.QueryResultRow>(
    action: string,
    text: string,
    values: unknown[],
    options: RunOptions = {},
  ): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    if (this.bound) {
      // The caller's own connection: its timeouts are the caller's business.
      try {
        return await this.bound.query<R>({ text, values });
      } catch (error) {
        throw toStoreError(error, action, {
          feature: options.feature,
          inFlightWrite: options.write,
        });
      }
    }
    const config = {
      text,
      values,
      query_timeout: this.shared.queryTimeoutMs + 1000,
    } as pg.QueryConfig;
    return this.withPoolClient(
      (client) => (client as Queryable).query<R>(config),
      // Without a connection the statement was never sent, so a write was surely not applied.
      (error, sent) =>
        toStoreError(error, action, {
          feature: options.feature,
          inFlightWrite: sent && options.write,
        }),
    );
  }

  /**
   * Runs `use` on a connection checked out of the pool and gives it back (destroyed
   * when it broke). While a connection is checked out the pool stops listening to
   * its errors, so the store listens: a server shutdown message that arrives right
   * after a result must not become an uncaught 'error' event.
   */
  private async withPoolClient<T>(
    use: (client: pg.PoolClient) => Promise<T>,
    fail: (error: unknown, sent: boolean) => Error,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.shared.pool.connect();
    } catch (error) {
      throw fail(error, false);
    }
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await use(client);
    } catch (error) {
      if (broken === undefined && isConnectionBroken(error)) broken = asError(error);
      throw fail(error, true);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

function conflict(name: string, expectedVersion: number, exists = true): VersionConflictError {
  const state = exists
    ? `is not at version ${expectedVersion}: another writer changed it`
    : `does not exist (expected version ${expectedVersion})`;
  return new VersionConflictError(
    name,
    `[rollout] [${STORE_NAME}] feature ${JSON.stringify(name)} ${state}`,
  );
}

function checkVersion(version: unknown): void {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new ValidationError('expectedVersion', version, 'must be a non-negative integer');
  }
}

function isFeatureName(name: unknown): name is string {
  try {
    validateFeatureName(name);
    return true;
  } catch {
    return false;
  }
}

function positive(value: unknown, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, value, 'must be a positive number');
  }
  return value;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
