import { dirname } from 'node:path';
import { DataLostError, StoreError, StoreUnavailableError } from '@rollout/core';
import { LockTimeoutError } from './file-lock.js';

/** The store name used in errors. */
export const STORE_NAME = 'file';

/** True for Node's "no such file or directory". */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** A failed file operation as a StoreError: `what` failed, with Node's reason and the cause kept. */
export function fsError(what: string, error: unknown): StoreError {
  // Node's messages already start with the code: "EACCES: permission denied, open '...'".
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(STORE_NAME, `${what}: ${detail}`, { cause: error });
}

/**
 * Why taking the lock for a write failed: a lock held past `lockTimeout` or a
 * missing directory is StoreUnavailableError (retry later, or create the
 * directory); anything else is a StoreError. Either way nothing was written.
 */
export function lockError(error: unknown, path: string, lockPath: string): StoreError {
  if (error instanceof LockTimeoutError) {
    return new StoreUnavailableError(STORE_NAME, `${error.message}; nothing was written`, {
      cause: error,
    });
  }
  if (isMissing(error)) {
    return new StoreUnavailableError(
      STORE_NAME,
      `the directory ${dirname(path)} does not exist; create it or pass createDirectory: true`,
      { cause: error },
    );
  }
  return fsError(`taking the lock ${lockPath} failed`, error);
}

/** The lock was broken as stale while this write held it: writing now could undo another write. */
export function lockLost(lockPath: string, staleLockTimeout: number): StoreUnavailableError {
  return new StoreUnavailableError(
    STORE_NAME,
    `lost the lock ${lockPath} (held longer than staleLockTimeout ${staleLockTimeout} ms); nothing was written`,
  );
}

/** Reported to subscribers when the flags file disappears. */
export function fileDeleted(path: string): DataLostError {
  return new DataLostError(
    STORE_NAME,
    `${path} was deleted; the store is empty until it is written again`,
  );
}
