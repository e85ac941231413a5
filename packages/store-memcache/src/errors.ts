import { StoreError, StoreUnavailableError } from '@rollout/core';

/** The store's name in errors. */
export const STORE_NAME = 'memcache';

/**
 * memcached binary-protocol status codes this package acts on
 * (https://github.com/memcached/memcached/wiki/BinaryProtocolRevamped).
 */
export const Status = {
  OK: 0x0000,
  KEY_NOT_FOUND: 0x0001,
  KEY_EXISTS: 0x0002,
  VALUE_TOO_LARGE: 0x0003,
  NOT_STORED: 0x0005,
} as const;

const STATUS_TEXT: Record<number, string> = {
  1: 'key not found',
  2: 'key exists (compare-and-set mismatch)',
  3: 'value too large for the server item size limit (memcached -I)',
  4: 'invalid arguments',
  5: 'item not stored',
  6: 'incr on a non-numeric value',
  129: 'unknown command',
  130: 'out of memory',
  132: 'internal error',
  133: 'busy',
  134: 'temporary failure',
};

/** memcached did not answer `what` (connection refused or lost, timeout): StoreUnavailableError. */
export function unavailable(what: string, error: unknown): StoreUnavailableError {
  const text = error instanceof Error ? error.message : String(error ?? 'no response');
  return new StoreUnavailableError(STORE_NAME, `memcached did not answer ${what}: ${text}`, {
    cause: error ?? undefined,
  });
}

/** memcached answered `op key` with an error status: StoreError, the status kept as `cause`. */
export function failed(op: string, key: string, status: number): StoreError {
  const text = STATUS_TEXT[status] ?? `status 0x${status.toString(16)}`;
  return new StoreError(STORE_NAME, `${op} ${key} failed: ${text}`, {
    cause: { status },
  });
}

/** Whether `error` is memcached refusing an item as too large (from {@link failed}). */
function isTooLarge(error: unknown): boolean {
  if (!(error instanceof StoreError)) return false;
  const cause = error.cause as { status?: unknown } | undefined;
  return cause?.status === Status.VALUE_TOO_LARGE;
}

/**
 * A chunk write failed: when memcached refused the item as too large, says that the
 * `itemBytes` option is above the server's limit (the fix is in the configuration);
 * any other error is returned as it is.
 */
export function chunkWriteError(error: unknown, chunkBytes: number, itemBytes: number): unknown {
  if (!isTooLarge(error)) return error;
  return new StoreError(
    STORE_NAME,
    `memcached refused a ${chunkBytes}-byte item: itemBytes (${itemBytes}) is above the server's item size limit (memcached -I)`,
    { cause: error },
  );
}

/** The index must fit in one item; a write that would outgrow it is refused before anything changes. */
export function indexTooLarge(features: number, bytes: number, itemBytes: number): StoreError {
  return new StoreError(
    STORE_NAME,
    `the index of ${features} features would take ${bytes} bytes, over itemBytes (${itemBytes}); ` +
      'raise memcached -I and itemBytes, or use a store without an item size limit',
  );
}
