import { ValidationError } from '@rollout/core';
import { DEFAULT_HISTORY_LIMIT, positiveInteger, positiveNumber } from '@rollout/core/store';
import type pg from 'pg';
import { type TableNames, tableNames } from './layout.js';

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
   * `<table>_schema_versions` and `<table>_history` beside it. Default `rollout_features`. A plain identifier (at most 47 characters); always quoted.
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
  /**
   * History rows kept per feature in `<table>_history`; each write trims its feature's
   * oldest beyond this in the same statement. Default 1000.
   */
  historyLimit?: number;
}

/** The defaults of the numeric options. */
export const DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 5000,
  queryTimeoutMs: 10_000,
  maxBackoffMs: 5000,
  pollIntervalMs: 5000,
} as const;

/** Checked options with every default filled in. */
export interface ResolvedOptions {
  /** Where the connections come from: a URL the store opens its own pool from, or the application's pool. */
  readonly source: { readonly connectionString: string } | { readonly pool: pg.Pool };
  readonly names: TableNames;
  readonly migrate: boolean;
  readonly listenConnectionString: string | undefined;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly maxBackoffMs: number;
  readonly pollIntervalMs: number;
  readonly historyLimit: number;
}

/**
 * Checks the constructor's options (ValidationError naming the field) and fills
 * in the defaults. Nothing connects here.
 */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', options, 'pass { connectionString } or { pool }');
  }
  const { connectionString, pool } = options;
  if ((connectionString !== undefined) === (pool !== undefined)) {
    throw new ValidationError('options', options, 'pass exactly one of connectionString and pool');
  }
  if (
    connectionString !== undefined &&
    (typeof connectionString !== 'string' || connectionString === '')
  ) {
    throw new ValidationError('connectionString', connectionString, 'must be a non-empty string');
  }
  if (pool !== undefined && typeof (pool as { connect?: unknown }).connect !== 'function') {
    throw new ValidationError('pool', pool, 'must be a pg.Pool');
  }
  const names = tableNames(options.schema, options.table);
  const resolved = {
    source: pool !== undefined ? { pool } : { connectionString: connectionString as string },
    names,
    poolSize: positiveInteger('poolSize', options.poolSize, DEFAULTS.poolSize),
    connectTimeoutMs: positiveNumber(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULTS.connectTimeoutMs,
    ),
    queryTimeoutMs: positiveNumber(
      'queryTimeoutMs',
      options.queryTimeoutMs,
      DEFAULTS.queryTimeoutMs,
    ),
    maxBackoffMs: positiveNumber('maxBackoffMs', options.maxBackoffMs, DEFAULTS.maxBackoffMs),
    pollIntervalMs: positiveNumber(
      'pollIntervalMs',
      options.pollIntervalMs,
      DEFAULTS.pollIntervalMs,
    ),
    listenConnectionString: options.listenConnectionString,
    historyLimit: positiveInteger('historyLimit', options.historyLimit, DEFAULT_HISTORY_LIMIT),
  };
  if (options.migrate !== undefined && typeof options.migrate !== 'boolean') {
    throw new ValidationError('migrate', options.migrate, 'must be true or false');
  }
  return { ...resolved, migrate: options.migrate ?? true };
}
