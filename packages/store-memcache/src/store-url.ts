import { ValidationError } from '@rollout/core';
import { MemcacheStore, type MemcacheStoreOptions } from './memcache-store.js';

/**
 * Builds a store from a URL: `memcache://host:port?prefix=app:&pollInterval=500&expires=0`.
 * Credentials (`memcache://user:pass@host:port`) are passed to memjs for SASL.
 *
 * Several servers: the WHATWG `URL` parser rejects `host1:port1,host2:port2`, so
 * either pass the URL as a string (`storeFromUrl('memcache://h1:11211,h2:11211')`),
 * or name the others in a `servers` query parameter
 * (`memcache://h1:11211?servers=h2:11211,h3:11211`).
 * Query parameters: `prefix`, `pollInterval` (ms), `expires` (s), `timeout` (ms),
 * `itemBytes`, `restoreOnLoss` (`true`/`false`), `servers`. Unknown ones are rejected.
 */
export function storeFromUrl(url: URL | string): MemcacheStore {
  return new MemcacheStore(optionsFromUrl(url));
}

const NUMERIC = ['pollInterval', 'expires', 'timeout', 'itemBytes'] as const;

/** The constructor options a URL stands for (see {@link storeFromUrl}). */
export function optionsFromUrl(url: URL | string): MemcacheStoreOptions {
  let servers: string[];
  let query: URLSearchParams;
  if (typeof url === 'string') {
    const match = /^memcached?:\/\/([^/?#]*)[^?#]*(\?[^#]*)?/i.exec(url);
    if (!match)
      throw new ValidationError(
        'url',
        url,
        'must look like memcache://host:port[,host:port]?prefix=...',
      );
    servers = (match[1] ?? '').split(',').filter((s) => s !== '');
    query = new URLSearchParams(match[2] ?? '');
  } else {
    if (url.protocol !== 'memcache:' && url.protocol !== 'memcached:') {
      throw new ValidationError('url', url.href, 'must use the memcache: scheme');
    }
    const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
    servers = url.host ? [`${auth}${url.host}`] : [];
    query = url.searchParams;
  }
  const options: MemcacheStoreOptions = {};
  for (const [key, value] of query) {
    if (key === 'prefix') options.prefix = value;
    else if (key === 'servers') servers.push(...value.split(',').filter((s) => s !== ''));
    else if (key === 'restoreOnLoss') {
      if (value !== 'true' && value !== 'false')
        throw new ValidationError(key, value, 'must be true or false');
      options.restoreOnLoss = value === 'true';
    } else if ((NUMERIC as readonly string[]).includes(key)) {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n))
        throw new ValidationError(key, value, 'must be an integer');
      options[key as (typeof NUMERIC)[number]] = n;
    } else {
      throw new ValidationError(
        'url',
        key,
        `unknown memcache URL parameter (known: prefix, servers, restoreOnLoss, ${NUMERIC.join(', ')})`,
      );
    }
  }
  if (servers.length === 0)
    throw new ValidationError('url', String(url), 'names no server (memcache://host:port)');
  options.servers = servers.map((s) => decodeURIComponent(s)).join(',');
  return options;
}
