import {
  RolloutError,
  StoreError,
  StoreUnavailableError,
  VersionConflictError,
} from '@rollout/core';

/** The store's name in errors and tools. */
export const STORE_NAME = 'postgres';

// Socket-level failures: the server cannot be reached at all.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

// Messages node-postgres uses for its own connection failures (they carry no code).
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Connection terminated due to connection timeout',
];

/** SQLSTATE of a server error, when `error` is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when `error` means the server could not be used: refused or lost
 * connections, timeouts, a server shutting down or starting up, too many clients.
 */
export function isUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) {
    // 08: connection exception; 57P01-03: admin/crash shutdown, starting up;
    // 53300: too many connections; 57014: statement timeout (query_canceled).
    return (
      state.startsWith('08') || /^57P0[123]$/.test(state) || state === '53300' || state === '57014'
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return DRIVER_MESSAGES.some((m) => message.includes(m));
}

/** True when the connection that raised `error` must not go back to the pool. */
export function isConnectionBroken(error: unknown): boolean {
  // The store's own verdicts (a conflict, a missing migration) say nothing about the connection.
  if (error instanceof RolloutError) return false;
  const state = sqlState(error);
  return state === undefined || state.startsWith('08') || state.startsWith('57');
}

/**
 * Translates a driver error into the store's typed errors. `action` says what the
 * store was doing ("reading feature \"x\""). `inFlightWrite` marks a write whose
 * statement may have reached the server: losing the connection then leaves its
 * outcome unknown, which a StoreUnavailableError (promising "nothing was written")
 * must not claim.
 */
export function toStoreError(
  error: unknown,
  action: string,
  options: { feature?: string; inFlightWrite?: boolean } = {},
): RolloutError {
  if (error instanceof RolloutError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  // Serialization failure / deadlock: another writer won; the caller's retry loop handles it.
  if ((state === '40001' || state === '40P01') && options.feature !== undefined) {
    return new VersionConflictError(
      options.feature,
      `[rollout] [${STORE_NAME}] ${action}: concurrent write (${detail})`,
      { cause: error },
    );
  }
  if (isUnavailable(error)) {
    // A statement timeout (57014) cancels the statement on the server: surely not applied.
    // Anything else mid-flight (even a shutdown's 57P01) may have hit just after the commit.
    if (options.inFlightWrite && state !== '57014') {
      return new StoreError(
        STORE_NAME,
        `${action}: the connection was lost while the write was in flight, so it may or may not have been applied; read the feature back to find out (${detail})`,
        { cause: error },
      );
    }
    const why =
      state === '57014' ? 'PostgreSQL did not finish in time' : 'PostgreSQL is unavailable';
    return new StoreUnavailableError(STORE_NAME, `${action}: ${why} (${detail})`, { cause: error });
  }
  if (state === '42P01' || state === '3F000') {
    return new StoreError(
      STORE_NAME,
      `${action}: the store's tables are missing (${detail}); let the store migrate (migrate: true) or apply its sql/ files`,
      { cause: error },
    );
  }
  return new StoreError(STORE_NAME, `${action}: ${detail}`, { cause: error });
}
