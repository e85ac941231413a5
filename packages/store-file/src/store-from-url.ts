import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@rollout/core';
import { FileStore, type FileStoreOptions } from './file-store.js';

/**
 * Creates a FileStore from a store URL:
 * - `file:./flags.json`, `file:data/flags.json`: relative to `process.cwd()`;
 * - `file:///srv/app/flags.json`: absolute;
 * - query parameters `pollInterval`, `lockTimeout`, `staleLockTimeout` (ms),
 *   `watch=false`, `createDirectory=true`.
 *
 * Pass the URL as a string to use a relative path: the WHATWG `URL` parser turns
 * `file:./flags.json` into `file:///flags.json`, so a `URL` object is always
 * taken as absolute.
 */
export function storeFromUrl(url: URL | string): FileStore {
  const text = typeof url === 'string' ? url : url.href;
  if (!text.startsWith('file:')) {
    throw new ValidationError(
      'url',
      text,
      'a file store URL starts with file:, e.g. file:./flags.json',
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
      throw new ValidationError('url', text, 'not a usable file URL', { cause: error });
    }
  } else {
    path = resolve(process.cwd(), decodeURIComponent(rest));
  }
  if (rest === '' || rest.endsWith('/') || !isAbsolute(path)) {
    throw new ValidationError('url', text, 'the URL must name a file, e.g. file:./flags.json');
  }
  const options: FileStoreOptions = { path };
  const number = (key: 'pollInterval' | 'lockTimeout' | 'staleLockTimeout') => {
    const raw = query.get(key);
    if (raw === null) return;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new ValidationError(key, raw, 'must be a positive number of milliseconds');
    }
    options[key] = value;
  };
  number('pollInterval');
  number('lockTimeout');
  number('staleLockTimeout');
  const flag = (key: 'watch' | 'createDirectory') => {
    const raw = query.get(key);
    if (raw === null) return;
    if (raw !== 'true' && raw !== 'false')
      throw new ValidationError(key, raw, 'must be true or false');
    options[key] = raw === 'true';
  };
  flag('watch');
  flag('createDirectory');
  return new FileStore(options);
}
