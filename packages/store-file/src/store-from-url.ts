import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreUrlError } from '@rollout/core';
import { FileStore, type FileStoreOptions } from './file-store.js';

/**
 * Creates a FileStore from a store URL:
 * - `file:./flags.json`, `file:data/flags.json`: relative to `process.cwd()`;
 * - `file:///srv/app/flags.json`: absolute;
 * - query parameters `pollInterval`, `lockTimeout`, `staleLockTimeout` (ms),
 *   `watch=false`, `createDirectory=true`.
 *
 * A `URL` object is taken as absolute: the WHATWG parser turns `file:./flags.json`
 * into `file:///flags.json`. Pass relative URLs as strings (core's `openStore`
 * resolves them against the working directory before parsing). Throws StoreUrlError.
 */
export function storeFromUrl(url: URL | string): FileStore {
  const text = typeof url === 'string' ? url : url.href;
  if (!text.startsWith('file:')) {
    throw new StoreUrlError(
      `[file] expected a file: URL such as file:./flags.json, got ${JSON.stringify(text)}`,
    );
  }
  const queryAt = text.indexOf('?');
  const location = queryAt === -1 ? text : text.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : text.slice(queryAt + 1));
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
  const options: FileStoreOptions = { path };
  const number = (key: 'pollInterval' | 'lockTimeout' | 'staleLockTimeout') => {
    const raw = query.get(key);
    if (raw === null) return;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new StoreUrlError(`[file] ${key}=${raw} must be a positive number of milliseconds`);
    }
    options[key] = value;
  };
  number('pollInterval');
  number('lockTimeout');
  number('staleLockTimeout');
  const flag = (key: 'watch' | 'createDirectory') => {
    const raw = query.get(key);
    if (raw === null) return;
    if (raw !== 'true' && raw !== 'false') {
      throw new StoreUrlError(`[file] ${key}=${raw} must be true or false`);
    }
    options[key] = raw === 'true';
  };
  flag('watch');
  flag('createDirectory');
  return new FileStore(options);
}
