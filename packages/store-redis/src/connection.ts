import { StoreUnavailableError } from '@rollout/core';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { STORE_NAME } from './errors.js';

/** An ioredis client the store can use: a single-node `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Longest wait between reconnection attempts, ms. */
export const MAX_RECONNECT_DELAY = 2_000;

/**
 * Reconnect with exponential backoff from 50 ms, capped at {@link MAX_RECONNECT_DELAY},
 * with jitter so many processes do not reconnect in lockstep after an outage.
 */
export function retryStrategy(times: number): number {
  const base = Math.min(MAX_RECONNECT_DELAY, 50 * 2 ** Math.min(times, 10));
  return Math.round(base * (0.75 + Math.random() / 4));
}

/**
 * Options that make a client fail fast while Redis is down instead of queueing:
 * no offline queue (commands reject at once while disconnected), commands in
 * flight when the connection drops are rejected rather than resent later
 * (a write must never land minutes after its caller gave up), a command timeout
 * for a server that hangs, and capped reconnection backoff.
 */
export function failFastOptions(commandTimeout: number): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout,
    connectTimeout: commandTimeout,
    retryStrategy,
  };
}

/** Creates a client for a `redis://` or `rediss://` URL with {@link failFastOptions}. */
export function clientFromUrl(
  url: string,
  commandTimeout: number,
  extra: RedisOptions = {},
): Redis {
  return new Redis(url, { ...failFastOptions(commandTimeout), ...extra });
}

/** Where a store's connections come from: a URL it connects to, or the app's client. */
export type ConnectionSource =
  | { readonly url: string; readonly client?: undefined }
  | { readonly url?: undefined; readonly client: RedisClient };

/**
 * A new, not yet connected connection for SUBSCRIBE, owned (and closed) by the store:
 * from `url` like the command connection, or else `duplicate()`d from the app's
 * `client`, since a connection in pub/sub mode cannot run other commands. Its errors
 * surface through the change feed, never on the console.
 */
export function pubSubConnection(
  source: ConnectionSource,
  commandTimeout: number,
  extra: RedisOptions,
): RedisClient {
  let connection: RedisClient;
  if (source.client === undefined) {
    connection = clientFromUrl(source.url, commandTimeout, extra);
  } else {
    const overrides = { ...failFastOptions(commandTimeout), commandTimeout: undefined };
    const client = source.client;
    connection =
      'nodes' in client && typeof client.nodes === 'function'
        ? (client as Cluster).duplicate(undefined, { redisOptions: overrides, lazyConnect: true })
        : (client as Redis).duplicate(overrides);
  }
  connection.on('error', () => {});
  return connection;
}

/**
 * Resolves once `client` is ready, connecting it if it has not started yet
 * (lazyConnect). Rejects with StoreUnavailableError when it cannot be reached
 * within `timeoutMs`, or at once when it is reconnecting after a loss (writes
 * during an outage must fail fast; ioredis keeps reconnecting in the background).
 */
export async function ensureReady(
  client: RedisClient,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const status = client.status;
  if (status === 'ready') return;
  if (status === 'reconnecting' || status === 'close' || status === 'disconnecting') {
    throw new StoreUnavailableError(
      STORE_NAME,
      `${what} failed: Redis is unavailable (connection ${status})`,
    );
  }
  if (status === 'end') {
    throw new StoreUnavailableError(STORE_NAME, `${what} failed: the Redis connection was closed`);
  }
  await new Promise<void>((resolve, reject) => {
    let lastError: unknown;
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      client.off('reconnecting', onReconnecting);
    };
    const fail = (message: string) => {
      cleanup();
      reject(
        new StoreUnavailableError(STORE_NAME, `${what} failed: ${message}`, { cause: lastError }),
      );
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown) => {
      lastError = error;
    };
    const onEnd = () => fail('the Redis connection ended');
    // The attempt failed and ioredis went on to retry in the background: report now
    // rather than at the timeout; the next call finds the client ready or failing fast.
    const onReconnecting = () =>
      fail(
        `could not connect to Redis${lastError instanceof Error ? ` (${lastError.message})` : ''}`,
      );
    const timer = setTimeout(
      () =>
        fail(
          `Redis did not become ready within ${timeoutMs} ms${lastError instanceof Error ? ` (${lastError.message})` : ''}`,
        ),
      timeoutMs,
    );
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
    client.on('reconnecting', onReconnecting);
    if (status === 'wait') {
      // connect() also rejects on failure; the listeners above decide, so ignore it.
      client.connect().catch((error: unknown) => {
        lastError = error;
        if (client.status === 'end') fail(`could not connect to Redis (${String(error)})`);
      });
    }
  });
}

/**
 * Resolves once `client` is ready or after `timeoutMs`, whichever comes first;
 * never rejects. Used to let a reconnecting command connection catch up before a resync.
 */
export function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.on('ready', done);
  });
}
