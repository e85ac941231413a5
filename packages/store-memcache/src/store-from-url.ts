import { redactStoreUrl, StoreUrlError } from '@rollout/core';
import { expectScheme, urlBoolean, urlNumber } from '@rollout/core/store';
import { STORE_NAME } from './errors.js';
import { MemcacheStore } from './memcache-store.js';
import type { MemcacheStoreOptions } from './options.js';

/** The schemes this store takes (`memcached:` is accepted as a synonym). */
const SCHEMES = ['memcache:', 'memcached:'];
const NUMERIC = ['pollInterval', 'expires', 'timeout', 'itemBytes'] as const;
const KNOWN = ['prefix', 'servers', 'restoreOnLoss', ...NUMERIC];

/**
 * Builds a store from a URL: `memcache://host:port?prefix=app:&pollInterval=500&expires=0`.
 * Credentials (`memcache://user:pass@host:port`) are passed to memjs for SASL.
 *
 * Several servers: the WHATWG `URL` parser rejects `host1:port1,host2:port2`, so a
 * `URL` names them all in a `servers` query parameter, the form core's `openStore`
 * produces: `memcache://h1:11211/?servers=h1:11211,h2:11211` (the URL's host is added
 * in front when the list lacks it). A string may also list them in the authority
 * (`storeFromUrl('memcache://h1:11211,h2:11211')`). Keep the order the same in every
 * process: memjs picks a key's server by its position in the list.
 * Query parameters: `prefix`, `pollInterval` (ms), `expires` (s), `timeout` (ms),
 * `itemBytes`, `restoreOnLoss` (`true`/`false`), `servers`. Unknown ones are rejected.
 * A URL of another scheme, or a bad parameter, throws StoreUrlError (code `INVALID_STORE_URL`).
 */
export function storeFromUrl(url: URL | string): MemcacheStore {
  return new MemcacheStore(optionsFromUrl(url));
}

/** The constructor options a URL stands for (see {@link storeFromUrl}). */
export function optionsFromUrl(url: URL | string): MemcacheStoreOptions {
  let hosts: string[];
  let credentials = '';
  let query: URL;
  if (typeof url === 'string') {
    const match = /^memcached?:\/\/([^/?#]*)[^?#]*(\?[^#]*)?/i.exec(url);
    if (!match) {
      throw new StoreUrlError(
        `[${STORE_NAME}] expected memcache://host:port[,host:port]?prefix=..., got ${JSON.stringify(redactStoreUrl(url))}`,
      );
    }
    const authority = match[1] ?? '';
    const at = authority.lastIndexOf('@');
    credentials = at >= 0 ? authority.slice(0, at + 1) : '';
    hosts = authority.slice(at + 1).split(',');
    // The authority of a host list is no WHATWG URL: only the query is read through one.
    query = new URL(`memcache://query/${match[2] ?? ''}`);
  } else {
    expectScheme(url, STORE_NAME, SCHEMES);
    if (url.username) credentials = `${url.username}${url.password ? `:${url.password}` : ''}@`;
    hosts = [url.host];
    query = url;
  }
  const params = query.searchParams;
  const listed = params.get('servers');
  if (listed !== null) {
    // The list is complete; the authority's host goes in front only when it is missing.
    const all = listed.split(',');
    hosts = hosts.filter((h) => h !== '' && !all.includes(h)).concat(all);
  }
  const servers = hosts
    .filter((h) => h !== '')
    .map((h) => decodeURIComponent(`${credentials}${h}`));
  for (const key of params.keys()) {
    if (!KNOWN.includes(key)) {
      throw new StoreUrlError(
        `[${STORE_NAME}] unknown URL parameter ${JSON.stringify(key)} (known: ${KNOWN.join(', ')})`,
      );
    }
  }
  const options: MemcacheStoreOptions = {};
  const prefix = params.get('prefix');
  if (prefix !== null) options.prefix = prefix;
  const restoreOnLoss = urlBoolean(query, STORE_NAME, 'restoreOnLoss');
  if (restoreOnLoss !== undefined) options.restoreOnLoss = restoreOnLoss;
  for (const key of NUMERIC) {
    // expires=0 means "never", which urlNumber (positive numbers only) would refuse.
    const value =
      key === 'expires' && params.get(key) === '0' ? 0 : urlNumber(query, STORE_NAME, key);
    if (value !== undefined) options[key] = value;
  }
  if (servers.length === 0) {
    throw new StoreUrlError(
      `[${STORE_NAME}] ${JSON.stringify(redactStoreUrl(url))} names no server (memcache://host:port)`,
    );
  }
  options.servers = servers.join(',');
  return options;
}
