import { redactStoreUrl, ValidationError } from '@rollout/core';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';

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
 * `postgres:` and `postgresql:` are accepted. Our parameters are read and removed:
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
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ValidationError(
      'url',
      redactStoreUrl(url),
      'a PostgreSQL store URL starts with postgres:// or postgresql://',
    );
  }
  const connection = new URL(url.href);
  const options: PostgresStoreOptions = {};
  for (const param of STORE_PARAMS) {
    const values = connection.searchParams.getAll(param);
    connection.searchParams.delete(param);
    if (values.length === 0) continue;
    const value = values[0] as string;
    if (values.length > 1)
      throw new ValidationError(param, values.join(','), 'given more than once');
    if (param === 'migrate') {
      options.migrate = parseBoolean(value);
    } else if (Object.hasOwn(TEXT_PARAMS, param)) {
      options[TEXT_PARAMS[param as keyof typeof TEXT_PARAMS]] = value;
    } else {
      const n = Number(value);
      if (value.trim() === '' || !Number.isSafeInteger(n) || n <= 0) {
        throw new ValidationError(param, value, 'must be a positive integer');
      }
      options[NUMBER_PARAMS[param as keyof typeof NUMBER_PARAMS]] = n;
    }
  }
  return new PostgresStore({ ...options, ...extra, connectionString: connection.href });
}

function parseBoolean(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ValidationError('migrate', value, 'must be true, false, 1 or 0');
}
