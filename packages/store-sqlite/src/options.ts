import { ValidationError } from '@rollout/core';
import { DEFAULT_HISTORY_LIMIT, positiveInteger, positiveNumber } from '@rollout/core/store';
import { DEFAULT_TABLE } from './layout.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file (created with its tables on first use). Relative paths are
   * resolved against the working directory when the store is constructed. Every
   * process that opens the same file shares the same flags.
   */
  path: string;
  /**
   * Name of the features table; the store also creates `<table>_revision`,
   * `<table>_changes`, `<table>_history` and `<table>_schema_versions` beside it. Default `rollout_features`. A plain identifier
   * (letters, digits, underscores; at most 48 characters); always quoted.
   */
  table?: string;
  /**
   * How long a statement waits for another process's write lock before failing
   * with StoreUnavailableError, in ms. better-sqlite3 is synchronous: the wait
   * blocks this process's event loop. Default 5000.
   */
  busyTimeoutMs?: number;
  /** `capabilities.pollIntervalMs`: how often clients read the revision row. Default 1000 (a local read). */
  pollIntervalMs?: number;
  /** How many entries of the change log to keep (older ones are pruned by each write). Default 1000. */
  changeLogSize?: number;
  /**
   * History entries kept per feature in `<table>_history`; each write trims its
   * feature's oldest beyond this in its own transaction. Default 1000.
   */
  historyLimit?: number;
}

/** The defaults of the optional options. */
export const DEFAULTS = {
  busyTimeoutMs: 5000,
  pollIntervalMs: 1000,
  changeLogSize: 1000,
  historyLimit: DEFAULT_HISTORY_LIMIT,
} as const;

/** Checked options with every default filled in. */
export interface ResolvedOptions {
  readonly path: string;
  readonly table: string;
  readonly busyTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly changeLogSize: number;
  readonly historyLimit: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Checks the constructor's options (ValidationError naming the field) and fills in the defaults. */
export function resolveOptions(options: SqliteStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', options, 'pass { path }');
  }
  const { path, table = DEFAULT_TABLE } = options;
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\u0000')) {
    throw new ValidationError('path', path, 'must be a non-empty file path');
  }
  if (path === ':memory:' || path.startsWith('file:')) {
    // An in-memory database is private to one connection: nothing another process could share.
    throw new ValidationError(
      'path',
      path,
      'must be a file path (use @rollout/store-memory for memory)',
    );
  }
  if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
    throw new ValidationError(
      'table',
      table,
      'must be a plain identifier of at most 48 characters',
    );
  }
  return {
    path,
    table,
    busyTimeoutMs: positiveInteger('busyTimeoutMs', options.busyTimeoutMs, DEFAULTS.busyTimeoutMs),
    pollIntervalMs: positiveNumber(
      'pollIntervalMs',
      options.pollIntervalMs,
      DEFAULTS.pollIntervalMs,
    ),
    changeLogSize: positiveInteger('changeLogSize', options.changeLogSize, DEFAULTS.changeLogSize),
    historyLimit: positiveInteger('historyLimit', options.historyLimit, DEFAULTS.historyLimit),
  };
}
