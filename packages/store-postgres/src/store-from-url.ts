import { ValidationError } from '@rollout/core';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';

// Query parameters that configure the store rather than the connection.
const STORE_PARAMS = ['schema', 'table', 'migrate'] as const;

/**
 * Builds a store from a store URL such as
 * `postgres://app@db:5432/flags?schema=rollout&table=features&migrate=false`.
 * `postgres:` and `postgresql:` are accepted. `schema`, `table` and `migrate`
 * (`true`/`false`, `1`/`0`) are read and removed; every other parameter (sslmode,
 * application_name, ...) stays in the connection string given to node-postgres.
 * `extra` adds or overrides options (a pool size, timeouts).
 */
export function storeFromUrl(
  url: URL,
  extra: Omit<PostgresStoreOptions, 'connectionString' | 'pool'> = {},
): PostgresStore {
  if (!(url instanceof URL)) throw new ValidationError('url', url, 'must be a URL object');
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ValidationError(
      'url',
      redacted(url),
      'a PostgreSQL store URL starts with postgres:// or postgresql://',
    );
  }
  const connection = new URL(url.href);
  const options: PostgresStoreOptions = {};
  for (const param of STORE_PARAMS) {
    const values = connection.searchParams.getAll(param);
    connection.searchParams.delete(param);
    if (values.length === 0) continue;
    if (values.length > 1)
      throw new ValidationError(`url ${param}`, values.join(','), 'given more than once');
    const value = values[0] as string;
    if (param === 'migrate') options.migrate = parseBoolean(value);
    else options[param] = value;
  }
  return new PostgresStore({ ...options, ...extra, connectionString: connection.href });
}

function parseBoolean(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ValidationError('url migrate', value, 'must be true, false, 1 or 0');
}

// Error messages and values never carry the password.
function redacted(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}
