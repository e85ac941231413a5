import { fileURLToPath } from 'node:url';
import { StoreUrlError, ValidationError } from '@rollout/core';
import { expectScheme, urlNumber } from '@rollout/core/store';
import { STORE_NAME } from './errors.js';
import type { SqliteStoreOptions } from './options.js';
import { SqliteStore } from './sqlite-store.js';

// Query parameters and the option each sets (numbers are ms, or a count).
const NUMBER_PARAMS = {
  pollInterval: 'pollIntervalMs',
  busyTimeout: 'busyTimeoutMs',
  changeLogSize: 'changeLogSize',
} as const;

/**
 * Builds a store from a store URL: `sqlite:./flags.db` (relative to the working
 * directory), `sqlite:flags.db`, or `sqlite:///srv/app/flags.db` (absolute).
 * Query parameters: `table`, `pollInterval`, `busyTimeout` (ms) and
 * `changeLogSize`. Another scheme, or a URL with a host (`sqlite://host/x.db`),
 * throws StoreUrlError (code `INVALID_STORE_URL`).
 */
export function storeFromUrl(url: URL, extra: Omit<SqliteStoreOptions, 'path'> = {}): SqliteStore {
  if (!(url instanceof URL)) throw new ValidationError('url', url, 'must be a URL object');
  expectScheme(url, STORE_NAME, ['sqlite:']);
  const options: SqliteStoreOptions = { path: urlPath(url) };
  const table = url.searchParams.get('table');
  if (table !== null) options.table = table;
  for (const [param, option] of Object.entries(NUMBER_PARAMS)) {
    const value = urlNumber(url, STORE_NAME, param);
    if (value !== undefined) options[option] = value;
  }
  return new SqliteStore({ ...options, ...extra });
}

// `sqlite:///abs.db` has an empty host and an absolute path; `sqlite:./x.db` is opaque.
function urlPath(url: URL): string {
  if (url.host !== '') {
    throw new StoreUrlError(
      `[${STORE_NAME}] ${JSON.stringify(url.href)} names a host; use sqlite:./relative.db or sqlite:///absolute/path.db`,
    );
  }
  const path = url.href.startsWith('sqlite://')
    ? fileURLToPath(`file://${url.pathname}`)
    : decodeURIComponent(url.pathname);
  if (path === '' || path === '/') {
    throw new StoreUrlError(`[${STORE_NAME}] ${JSON.stringify(url.href)} names no database file`);
  }
  return path;
}
