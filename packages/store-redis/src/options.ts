import { redactStoreUrl, ValidationError } from '@rollout/core';
import { DEFAULT_HISTORY_LIMIT, positiveInteger, positiveNumber } from '@rollout/core/store';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { ConnectionSource } from './connection.js';
import { DEFAULT_PREFIX, type KeyLayout, keyLayout } from './layout.js';

/** Default ms a command may take before it rejects (and the connect timeout). */
export const DEFAULT_COMMAND_TIMEOUT = 5_000;

/** Options of `RedisStore`: give `url` or `client`. */
export interface RedisStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). The store
   * creates and owns its connections, configured to fail fast while Redis is down.
   */
  url?: string;
  /**
   * An ioredis `Redis` or `Cluster` the application already has. The store uses it
   * for commands and `duplicate()`s it for pub/sub; `close()` leaves it open.
   * Its own options decide how it behaves while Redis is down (see the README).
   */
  client?: Redis | Cluster;
  /**
   * Key prefix, so several apps or environments share one Redis. Default `rollout:`.
   * 1 to 100 characters, no braces or white space: it becomes the Cluster hash tag.
   */
  prefix?: string;
  /**
   * Ms a command may take before it rejects with StoreUnavailableError, and the
   * connect timeout, for connections the store creates. Default 5000.
   */
  commandTimeout?: number;
  /** Extra ioredis options for connections created from `url` (TLS, auth, family, ...). */
  redisOptions?: RedisOptions;
  /**
   * History entries kept per feature; the write that goes past it trims the oldest in
   * the same script. Default 1000.
   */
  historyLimit?: number;
}

/** Checked options with defaults applied; exactly one of `url` and `client` is set. */
export type ResolvedOptions = {
  readonly keys: KeyLayout;
  readonly commandTimeout: number;
  readonly redisOptions: RedisOptions;
  readonly historyLimit: number;
} & ConnectionSource;

/** Checks the constructor's options; throws ValidationError naming the bad one. */
export function resolveOptions(options: RedisStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', options, 'RedisStore needs { url } or { client }');
  }
  const common = {
    keys: keyLayout(options.prefix ?? DEFAULT_PREFIX),
    commandTimeout: positiveNumber(
      'commandTimeout',
      options.commandTimeout,
      DEFAULT_COMMAND_TIMEOUT,
    ),
    redisOptions: options.redisOptions ?? {},
    historyLimit: positiveInteger('historyLimit', options.historyLimit, DEFAULT_HISTORY_LIMIT),
  };
  if (options.client !== undefined) {
    if (options.url !== undefined) {
      throw new ValidationError('options', options, 'give either url or client, not both');
    }
    return { ...common, client: options.client };
  }
  if (typeof options.url === 'string') {
    if (!/^rediss?:\/\//i.test(options.url)) {
      throw new ValidationError(
        'url',
        redactStoreUrl(options.url),
        'must start with redis:// or rediss://',
      );
    }
    return { ...common, url: options.url };
  }
  throw new ValidationError('options', options, 'RedisStore needs { url } or { client }');
}
