import { ValidationError } from '@rollout/core';
import { MemcacheStore, type MemcacheStoreOptions } from './memcache-store.js';

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
 */
export function storeFromUrl(url: URL | string): MemcacheStore {
  return new MemcacheStore(optionsFromUrl(url));
}

const NUMERIC = ['pollInterval', 'expires', 'timeout', 'itemBytes'] as const;

/** The constructor options a URL stands for (see {@link storeFromUrl}). */
export function optionsFromUrl(url: URL | string): MemcacheStoreOptions {
  let hosts: string[];
  let credentials = '';
  let query: URLSearchParams;
  if (typeof url === 'string') {
    const match = /^memcached?:\/\/([^/?#]*)[^?#]*(\?[^#]*)?/i.exec(url);
    if (!match)
      throw new ValidationError(
        'url',
        url,
        'must look like memcache://host:port[,host:port]?prefix=...',
      );
    const authority = match[1] ?? '';
    const at = authority.lastIndexOf('@');
    credentials = at >= 0 ? authority.slice(0, at + 1) : '';
    hosts = authority.slice(at + 1).split(',');
    query = new URLSearchParams(match[2] ?? '');
  } else {
    if (url.protocol !== 'memcache:' && url.protocol !== 'memcached:') {
      throw new ValidationError('url', url.href, 'must use the memcache: scheme');
    }
    if (url.username) credentials = `${url.username}${url.password ? `:${url.password}` : ''}@`;
    hosts = [url.host];
    query = url.searchParams;
  }
  const listed = query.get('servers');
  if (listed !== null) {
    // The list is complete; the authority's host goes in front only when it is missing.
    const all = listed.split(',');
    hosts = hosts.filter((h) => h !== '' && !all.includes(h)).concat(all);
  }
  const servers = hosts
    .filter((h) => h !== '')
    .map((h) => decodeURIComponent(`${credentials}${h}`));
  const options: MemcacheStoreOptions = {};
  for (const [key, value] of query) {
    if (key === 'prefix') options.prefix = value;
    else if (key === 'servers') continue;
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
    throw new ValidationError(
      'url',
      String(url).replace(/\/\/[^@/]*@/, '//***@'),
      'names no server (memcache://host:port)',
    );
  options.servers = servers.join(',');
  return options;
}
