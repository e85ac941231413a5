import { CorruptDataError, RolloutError, StoreError, StoreUnavailableError } from '@rollout/core';

/** The store's name in errors and tools. */
export const STORE_NAME = 'sqlite';

// Another connection holds the lock for longer than busyTimeoutMs, or the file
// cannot be opened or written (missing directory, permissions, disk full, I/O).
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|PERM|PROTOCOL)/;
// The file is not a database, or its pages are damaged.
const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

/** The SQLite result code of a driver error (`SQLITE_BUSY`, `SQLITE_IOERR_WRITE`...). */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Translates a better-sqlite3 error into the store's typed errors. `action` says
 * what the store was doing (`writing feature "x"`); `path` is the database file.
 * Every write is one transaction, so a failed write was not applied: the
 * unavailable case can promise "nothing was written".
 */
export function toStoreError(error: unknown, action: string, path: string): RolloutError {
  if (error instanceof RolloutError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = sqliteCode(error) ?? '';
  if (CORRUPT.test(code)) {
    return new CorruptDataError(STORE_NAME, path, `${action}: ${detail} (${code})`, {
      cause: error,
    });
  }
  if (UNAVAILABLE.test(code)) {
    return new StoreUnavailableError(
      STORE_NAME,
      `${action} in ${path}: ${detail} (${code}); nothing was written`,
      { cause: error },
    );
  }
  return new StoreError(STORE_NAME, `${action} in ${path}: ${detail}`, { cause: error });
}
