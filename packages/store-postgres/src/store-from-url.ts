import { StoreUrlError, ValidationError } from '@rollout/core';
import { expectScheme, urlBoolean, urlNumber } from '@rollout/core/store';
import { STORE_NAME } from './errors.js';
import type { PostgresStoreOptions } from './options.js';
import { PostgresStore } from './postgres-store.js';

// Query parameters that configure the store rather than the connection, and the
// option each one sets. Numbers are milliseconds (or a count, for poolSize).
const TEXT_PARAMS = { schema: 'schema', table: 'table' } as const;
const NUMBER_PARAMS = {
  pollInterval: 'pollIntervalMs',
  connectTimeout: 'connectTimeoutMs',
  queryTimeout: 'queryTimeoutMs',
  poolSize: 'poolSize',
} as const;
const STORE_PARAMS = [...Object.keys(TEXT_PARAMS), ...Object.keys(NUMBER_PARAMS), 'migrate'];

/**
 * Builds a store from a store URL such as
 * `postgres://app@db:5432/main?schema=flags&table=features&migrate=false&pollInterval=10000`.
 * `postgres:` and `postgresql:` are accepted; another scheme throws StoreUrlError
 * (code `INVALID_STORE_URL`). Our parameters are read and removed:
 * `schema`, `table`, `migrate` (`true`/`false`, `1`/`0`), `pollInterval`,
 * `connectTimeout`, `queryTimeout` (ms) and `poolSize`; every other parameter
 * (`sslmode`, `application_name`, ...) stays in the connection string given to
 * node-postgres. `extra` adds or overrides options. Errors never show the password.
 */
export function storeFromUrl(
  url: URL,
  extra: Omit<PostgresStoreOptions, 'connectionString' | 'pool'> = {},
): PostgresStore {
  if (!(url instanceof URL)) throw new ValidationError('url', url, 'must be a URL object');
  expectScheme(url, STORE_NAME, ['postgres:', 'postgresql:']);
  const options: PostgresStoreOptions = {};
  for (const param of STORE_PARAMS) {
    const values = url.searchParams.getAll(param);
    if (values.length > 1) {
      throw new StoreUrlError(
        `[${STORE_NAME}] ${param} is given more than once (${JSON.stringify(values.join(','))})`,
      );
    }
  }
  for (const [param, option] of Object.entries(TEXT_PARAMS)) {
    const value = url.searchParams.get(param);
    if (value !== null) options[option] = value;
  }
  for (const [param, option] of Object.entries(NUMBER_PARAMS)) {
    const value = urlInteger(url, param);
    if (value !== undefined) options[option] = value;
  }
  const migrate = urlBoolean(url, STORE_NAME, 'migrate');
  if (migrate !== undefined) options.migrate = migrate;

  const connection = new URL(url.href);
  for (const param of STORE_PARAMS) connection.searchParams.delete(param);
  return new PostgresStore({ ...options, ...extra, connectionString: connection.href });
}

// Every number we read is whole milliseconds or a count: `1.5` is refused, not rounded.
function urlInteger(url: URL, param: string): number | undefined {
  const value = urlNumber(url, STORE_NAME, param);
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new StoreUrlError(
      `[${STORE_NAME}] ${param}=${JSON.stringify(url.searchParams.get(param))} must be a positive integer`,
    );
  }
  return value;
}
