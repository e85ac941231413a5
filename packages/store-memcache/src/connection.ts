import { ValidationError } from '@rollout/core';
import type { Client } from 'memjs';
import memjs from 'memjs';
import type { MemcacheStoreOptions } from './options.js';

/** The memjs client a store sends through, and whether the store closes it. */
export interface Connection {
  readonly client: Client;
  /** True when the store created the client (and so closes it); false for a given one. */
  readonly owned: boolean;
}

/**
 * The given `client`, or a new memjs client on `servers` that fails fast: one attempt
 * per request (a down server fails at once with ECONNREFUSED), no failover (keys
 * moving between servers breaks compare-and-set), `timeoutMs` per request and per
 * connection, and no console logging (errors reach the caller typed instead).
 */
export function openClient(options: MemcacheStoreOptions, timeoutMs: number): Connection {
  if (options.client !== undefined) return { client: options.client, owned: false };
  if (
    options.servers !== undefined &&
    (typeof options.servers !== 'string' || options.servers.trim() === '')
  ) {
    throw new ValidationError(
      'servers',
      options.servers,
      'must be a string such as "127.0.0.1:11211"',
    );
  }
  const client = memjs.Client.create(options.servers, {
    retries: 1,
    failover: false,
    timeout: timeoutMs / 1000,
    conntimeout: timeoutMs / 1000,
    keepAlive: true,
    logger: { log: () => undefined },
  });
  return { client, owned: true };
}
