import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreUrlError } from '@rollout/core';
import { expectScheme, urlBoolean, urlNumber } from '@rollout/core/store';
import { STORE_NAME } from './errors.js';
import { FileStore } from './file-store.js';

/**
 * Creates a FileStore from a store URL:
 * - `file:./flags.json`, `file:data/flags.json`: relative to `process.cwd()`;
 * - `file:///srv/app/flags.json`: absolute;
 * - query parameters `pollInterval`, `lockTimeout`, `staleLockTimeout` (ms),
 *   `watch=false`, `createDirectory=true`.
 *
 * A `URL` object is taken as absolute: the WHATWG parser turns `file:./flags.json`
 * into `file:///flags.json`. Pass relative URLs as strings (core's `openStore`
 * resolves them against the working directory before parsing). Throws StoreUrlError
 * (code `INVALID_STORE_URL`), also for a URL of another scheme.
 */
export function storeFromUrl(url: URL | string): FileStore {
  const text = typeof url === 'string' ? url : url.href;
  // Parsed for the scheme and the query only; the path is read from the text, where
  // a relative `file:./flags.json` is still relative.
  const parsed = typeof url === 'string' ? parseUrl(text) : url;
  expectScheme(parsed, STORE_NAME, ['file:']);
  const queryAt = text.indexOf('?');
  const location = queryAt === -1 ? text : text.slice(0, queryAt);
  const rest = location.slice('file:'.length);
  let path: string;
  if (rest.startsWith('/')) {
    // file:///abs/path (or file://host/path, which fileURLToPath rejects off Windows).
    try {
      path = fileURLToPath(location);
    } catch (error) {
      throw new StoreUrlError(`[file] ${JSON.stringify(text)} is not a usable file URL`, {
        cause: error,
      });
    }
  } else {
    path = resolve(process.cwd(), decodeURIComponent(rest));
  }
  if (rest === '' || rest.endsWith('/') || !isAbsolute(path)) {
    throw new StoreUrlError(
      `[file] ${JSON.stringify(text)} must name a file, e.g. file:./flags.json`,
    );
  }
  return new FileStore({
    path,
    pollInterval: urlNumber(parsed, STORE_NAME, 'pollInterval'),
    lockTimeout: urlNumber(parsed, STORE_NAME, 'lockTimeout'),
    staleLockTimeout: urlNumber(parsed, STORE_NAME, 'staleLockTimeout'),
    watch: urlBoolean(parsed, STORE_NAME, 'watch'),
    createDirectory: urlBoolean(parsed, STORE_NAME, 'createDirectory'),
  });
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    throw new StoreUrlError(
      `[file] expected a file: URL such as file:./flags.json, got ${JSON.stringify(text)}`,
      { cause: error },
    );
  }
}
