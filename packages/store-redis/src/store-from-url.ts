import { expectScheme, urlNumber } from '@rollout/core/store';
import { STORE_NAME } from './errors.js';
import { RedisStore } from './redis-store.js';

/** Query parameters the store reads from a URL (and removes before ioredis sees it). */
const OWN_PARAMS = ['prefix', 'commandTimeout'] as const;

/**
 * Builds a RedisStore from a store URL such as
 * `redis://127.0.0.1:6379/0?prefix=myapp:` or `rediss://user:pw@host:6380`.
 * Reads `prefix` and `commandTimeout` from the query and strips them; everything
 * else (auth, db, ioredis query options) goes to ioredis unchanged. Throws
 * StoreUrlError (code `INVALID_STORE_URL`) for another scheme or a bad
 * `commandTimeout`, ValidationError for a bad prefix.
 */
export function storeFromUrl(url: URL): RedisStore {
  expectScheme(url, STORE_NAME, ['redis:', 'rediss:']);
  const clean = new URL(url.href);
  const prefix = clean.searchParams.get('prefix') ?? undefined;
  const commandTimeout = urlNumber(clean, STORE_NAME, 'commandTimeout');
  for (const param of OWN_PARAMS) clean.searchParams.delete(param);
  return new RedisStore({
    url: clean.href,
    ...(prefix === undefined ? {} : { prefix }),
    ...(commandTimeout === undefined ? {} : { commandTimeout }),
  });
}
