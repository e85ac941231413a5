import { ValidationError } from '@rollout/core';
import { positiveInteger } from '@rollout/core/store';
import type { Client } from 'memjs';
import { validatePrefix } from './layout.js';

/** Options of {@link MemcacheStore}. Either `servers` or `client`. */
export interface MemcacheStoreOptions {
  /**
   * Servers as memjs takes them: `"host:port"` or `"host1:port1,host2:port2"`,
   * optionally `user:pass@host:port` for SASL. Default: memjs' own default
   * (`MEMCACHIER_SERVERS`, `MEMCACHE_SERVERS`, then `localhost:11211`).
   */
  servers?: string;
  /**
   * A memjs Client the application owns. The store sends its own requests through it
   * (with memjs' retries off per request) and never closes it. Do not enable memjs
   * `failover`: keys moving between servers breaks compare-and-set.
   */
  client?: Client;
  /** Prefix of every key, so several apps or environments share one memcached. Default `rollout:`. */
  prefix?: string;
  /**
   * Expiration of every key, in seconds; 0 (the default) means never. Each write
   * refreshes the expiration of all the store's keys, so the data vanishes as a whole
   * `expires` seconds after the last write; that is then reported as data loss.
   * At most 30 days (memcached reads larger numbers as a Unix time).
   */
  expires?: number;
  /** How often clients poll the revision, in ms. Default 500. */
  pollInterval?: number;
  /**
   * Per-request timeout in ms (memjs' `timeout` for the client the store creates; with
   * a given client, the store still gives up on a request after this plus one second).
   * Default 2000.
   */
  timeout?: number;
  /**
   * Largest value written as one memcached item, in bytes. Feature records are split
   * into chunks of this size; the index must fit in one. Default 1,000,000 (memcached's
   * default item size limit, `-I 1m`, is 1,048,576 bytes including key and header).
   */
  itemBytes?: number;
  /**
   * When the data vanished (restart, flush, eviction), restore it from the features
   * this store last read, on the first operation after the loss was reported.
   * Default true. With false, the store keeps throwing DataLostError until `restore()`
   * is called (by this or another process).
   */
  restoreOnLoss?: boolean;
}

/** The checked options, defaults applied (the connection options stay in {@link MemcacheStoreOptions}). */
export interface ResolvedOptions {
  readonly prefix: string;
  /** Seconds, 0 for never. */
  readonly expires: number;
  readonly itemBytes: number;
  readonly pollIntervalMs: number;
  /** Per-request timeout, ms. */
  readonly timeout: number;
  readonly restoreOnLoss: boolean;
}

/** memcached treats expirations above 30 days as Unix times. */
const MAX_EXPIRES = 60 * 60 * 24 * 30;

/** Checks every option but the connection ones (see `openClient`); ValidationError names the first bad one. */
export function resolveOptions(options: MemcacheStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', options, 'must be an object');
  }
  // 0 is a valid expiration (never), which positiveInteger would refuse.
  const expires = options.expires === 0 ? 0 : positiveInteger('expires', options.expires, 0);
  return {
    prefix: validatePrefix(options.prefix ?? 'rollout:'),
    expires: inRange('expires', expires, 0, MAX_EXPIRES),
    itemBytes: inRange(
      'itemBytes',
      positiveInteger('itemBytes', options.itemBytes, 1_000_000),
      // Below 1 KiB a record would take hundreds of round trips; above 128 MiB memcached refuses -I.
      1024,
      128 * 1024 * 1024,
    ),
    pollIntervalMs: inRange(
      'pollInterval',
      positiveInteger('pollInterval', options.pollInterval, 500),
      1,
      86_400_000,
    ),
    timeout: inRange('timeout', positiveInteger('timeout', options.timeout, 2000), 1, 600_000),
    restoreOnLoss: options.restoreOnLoss ?? true,
  };
}

/** The bounds a positive integer option must also respect (what memcached or timers accept). */
function inRange(field: string, value: number, min: number, max: number): number {
  if (value < min || value > max) {
    throw new ValidationError(field, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
