import { resolve } from 'node:path';
import {
  type Feature,
  type FeatureStore,
  type HistoryEntry,
  type HistoryQuery,
  type StoreCapabilities,
  type StoreSnapshot,
  validateFeatureName,
  type WriteContext,
} from '@rollout/core';
import {
  ClosedGuard,
  checkExpectedVersion,
  checkHistoryQuery,
  checkWriteContext,
  versionConflict,
} from '@rollout/core/store';
import { decodeRow, encodeFeature } from './codec.js';
import { SqliteDatabase } from './database.js';
import { STORE_NAME, toStoreError } from './errors.js';
import { decodeHistoryRow, historyRecord } from './history.js';
import { type ResolvedOptions, resolveOptions, type SqliteStoreOptions } from './options.js';

/**
 * Feature store in one SQLite database file (better-sqlite3): SQL without a server.
 *
 * - One row per feature plus a single-row revision counter, a change log and the
 *   change history. The file is in WAL mode; every write is one `BEGIN IMMEDIATE`
 *   transaction (version check, write, revision bump, change-log entry, history
 *   entry and its trim to `historyLimit`), so any number of OS processes on the same
 *   file write atomically and a write is never half-applied nor recorded without
 *   being applied.
 * - Opening a file migrates its tables to this release's schema version (files of
 *   0.1.0 gain the history table) in one `BEGIN IMMEDIATE` transaction.
 * - No push: SQLite cannot tell other connections that something changed, so
 *   `capabilities.push` is false and clients poll the revision row (one indexed
 *   read of a local file) every `pollIntervalMs`.
 * - Another process holding the write lock longer than `busyTimeoutMs`, or a file
 *   that cannot be opened or written, rejects with StoreUnavailableError; a damaged
 *   file with CorruptDataError.
 * - After `close()` every member rejects with ClosedError (code `CLOSED`).
 */
export class SqliteStore implements FeatureStore {
  /** No push (clients poll the revision row); multiProcess, durable and history. */
  readonly capabilities: StoreCapabilities;
  private readonly options: ResolvedOptions;
  private readonly guard = new ClosedGuard(STORE_NAME);
  private db: SqliteDatabase | undefined;

  /** Checks the options (ValidationError); the file is opened on first use (or `connect()`). */
  constructor(options: SqliteStoreOptions) {
    const resolved = resolveOptions(options);
    // Resolved now, so a later chdir cannot move the store to another file.
    this.options = { ...resolved, path: resolve(resolved.path) };
    this.capabilities = {
      push: false,
      multiProcess: true,
      durable: true,
      pollIntervalMs: this.options.pollIntervalMs,
      history: true,
    };
  }

  /** `sqlite`. */
  get name(): string {
    return STORE_NAME;
  }

  /** The absolute path of the database file. */
  get path(): string {
    return this.options.path;
  }

  /**
   * Opens the file (creating it and the tables when missing) and switches it to
   * WAL mode. Idempotent; every other member calls it first. Rejects with
   * StoreUnavailableError when the file cannot be opened (and tries again next call).
   */
  async connect(): Promise<void> {
    this.open();
  }

  /** Every feature and the revision they reflect, read in one transaction. */
  async snapshot(): Promise<StoreSnapshot> {
    const db = this.open();
    const { revision, rows } = this.run('reading the snapshot', () => db.snapshot());
    return { revision, features: rows.map((row) => decodeRow(db.where, row)) };
  }

  /** One feature, or undefined when it does not exist (also for names no feature can have). */
  async get(name: string): Promise<Feature | undefined> {
    const db = this.open();
    if (!isFeatureName(name)) return undefined;
    const row = this.run(`reading feature ${JSON.stringify(name)}`, () => db.get(name));
    return row && decodeRow(db.where, row);
  }

  /** The revision row (0 before the first write). */
  async revision(): Promise<number> {
    const db = this.open();
    return this.run('reading the revision', () => db.revision());
  }

  /**
   * Compare-and-set write in one `BEGIN IMMEDIATE` transaction. The feature is
   * validated first (ValidationError, nothing written). Throws VersionConflictError
   * when the stored version is not `expectedVersion`. The history entry (`context`:
   * actor, note, action) commits in the same transaction.
   */
  async put(feature: Feature, expectedVersion: number, context?: WriteContext): Promise<Feature> {
    const db = this.open();
    checkExpectedVersion(expectedVersion);
    const record = historyRecord(checkWriteContext(context), { expectedVersion });
    const { feature: clean, document } = encodeFeature(feature);
    const outcome = this.run(`writing feature ${JSON.stringify(clean.name)}`, () =>
      db.put(clean.name, document, expectedVersion, record),
    );
    if (!outcome.ok) throw versionConflict(STORE_NAME, clean.name, expectedVersion, outcome.stored);
    return { ...clean, version: outcome.version };
  }

  /**
   * Compare-and-delete in one `BEGIN IMMEDIATE` transaction. False when there was
   * nothing to remove and `expectedVersion` is undefined or 0; VersionConflictError
   * when the stored version is not `expectedVersion`. The `remove` entry commits in
   * the same transaction (none when nothing was removed).
   */
  async remove(name: string, expectedVersion?: number, context?: WriteContext): Promise<boolean> {
    const db = this.open();
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
    const record = historyRecord(checkWriteContext(context), { remove: true });
    if (!isFeatureName(name)) return missing(String(name), expectedVersion);
    const outcome = this.run(`removing feature ${JSON.stringify(name)}`, () =>
      db.remove(name, expectedVersion, record),
    );
    if (outcome.ok) return true;
    if (outcome.stored === 0) return missing(name, expectedVersion);
    throw versionConflict(STORE_NAME, name, expectedVersion ?? 0, outcome.stored);
  }

  /**
   * A page of the history table, newest first by revision (one indexed read); see
   * FeatureStore.history. The query is checked first (ValidationError); each feature
   * keeps its last `historyLimit` entries.
   */
  async history(query?: HistoryQuery): Promise<HistoryEntry[]> {
    const db = this.open();
    const { name, before, limit } = checkHistoryQuery(query);
    const rows = this.run('reading the history', () => db.history(name, before, limit));
    return rows.map((row) => decodeHistoryRow(db.historyWhere(row.revision), row));
  }

  /** Closes the database file. A second call does nothing more. */
  close(): Promise<void> {
    return this.guard.close(() => {
      this.db?.close();
      this.db = undefined;
    });
  }

  // Checks the store is open and opens the file on first use.
  private open(): SqliteDatabase {
    this.guard.assertOpen();
    this.db ??= this.run('opening the database', () => new SqliteDatabase(this.options));
    return this.db;
  }

  private run<T>(action: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw toStoreError(error, action, this.options.path);
    }
  }
}

// The contract for a feature that is not there: false, unless a version of it was expected.
function missing(name: string, expectedVersion: number | undefined): false {
  if (expectedVersion === undefined || expectedVersion === 0) return false;
  throw versionConflict(STORE_NAME, name, expectedVersion, 0);
}

function isFeatureName(name: unknown): name is string {
  try {
    validateFeatureName(name);
    return true;
  } catch {
    return false;
  }
}
