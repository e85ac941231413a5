import { StoreUrlError } from './errors.js';
import type { FeatureStore } from './store.js';

/** Store URL schemes and the package that implements each. */
export const STORE_PACKAGES: Readonly<Record<string, string>> = {
  'memory:': '@rollout/store-memory',
  'file:': '@rollout/store-file',
  'redis:': '@rollout/store-redis',
  'rediss:': '@rollout/store-redis',
  'postgres:': '@rollout/store-postgres',
  'postgresql:': '@rollout/store-postgres',
  'memcache:': '@rollout/store-memcache',
};

/** A store package's URL entry point: every store package exports one. */
export type StoreFromUrl = (url: URL) => FeatureStore;

/** A parsed store URL. */
export interface ParsedStoreUrl {
  /** The URL itself. */
  url: URL;
  /** The package that opens it. */
  packageName: string;
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * Imports a package by name. Pass `(name) => import(name)` from your app so the
   * package resolves from your app's dependencies. By default rollout tries its own
   * location, then the current working directory.
   */
  importer?: (packageName: string) => Promise<unknown>;
}

const SECRET_PARAMS = /^(password|passwd|pass|pwd|secret|token|key|auth|sslkey|sslpassword)$/i;

/** The URL with its password and secret-looking query parameters replaced by `***`; safe to log. */
export function redactStoreUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    // Unparseable: hide anything between "//user:" and "@", which is where a password would be.
    return String(url).replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.href;
}

/**
 * Parses a store URL (`memory:`, `file:./flags.json`, `redis://…`, `rediss://…`,
 * `postgres://…`, `postgresql://…`, `memcache://host:port[,host:port]`).
 * Throws StoreUrlError for anything else.
 */
export function parseStoreUrl(text: string): ParsedStoreUrl {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new StoreUrlError(
      'a store URL is required, e.g. file:./flags.json or redis://localhost:6379',
    );
  }
  let url: URL;
  try {
    url = new URL(resolveRelativeFile(normalizeHostList(text.trim())));
  } catch (error) {
    throw new StoreUrlError(`${JSON.stringify(redactStoreUrl(text))} is not a valid store URL`, {
      cause: error,
    });
  }
  const packageName = STORE_PACKAGES[url.protocol];
  if (!packageName) {
    throw new StoreUrlError(
      `unknown store URL scheme ${JSON.stringify(url.protocol)} in ${JSON.stringify(redactStoreUrl(url))}; ` +
        `known: ${Object.keys(STORE_PACKAGES).join(' ')}`,
    );
  }
  return { url, packageName };
}

/**
 * WHATWG URLs cannot hold a host list (`memcache://a:11211,b:11211`), so a comma-
 * separated authority moves into a `servers` query parameter and the first host
 * stays as the URL's host: `memcache://a:11211/?servers=a:11211,b:11211`.
 */
function normalizeHostList(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*,[^/?#]*)(.*)$/i.exec(text);
  if (!match) return text;
  const [, scheme, authority = '', rest = ''] = match;
  const at = authority.lastIndexOf('@');
  const credentials = at >= 0 ? authority.slice(0, at + 1) : '';
  const hosts = authority.slice(at + 1);
  const first = hosts.split(',')[0] ?? '';
  const [path, query = ''] = rest.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set('servers', hosts);
  return `${scheme}${credentials}${first}${path || '/'}?${params.toString()}`;
}

/**
 * `new URL('file:./flags.json')` drops the relative part (it becomes `file:///flags.json`,
 * a file at the root), so a relative `file:` URL is resolved against the working
 * directory first: `file:./flags.json` in /srv/app opens /srv/app/flags.json.
 */
function resolveRelativeFile(text: string): string {
  const match = /^file:(?!\/)(.+)$/is.exec(text);
  if (!match?.[1] || typeof process === 'undefined') return text;
  const cwd = process.cwd().replace(/\\/g, '/');
  const base = `file://${cwd.startsWith('/') ? '' : '/'}${encodeURI(cwd).replace(/[?#]/g, encodeURIComponent)}/`;
  return new URL(match[1], base).href;
}

type ExportsValue = string | { [condition: string]: ExportsValue } | undefined;

/** The file an `import` of the package loads: the `import` condition of its exports map, else `module`. */
function esmEntry(pkg: { exports?: ExportsValue; module?: string }): string | undefined {
  let target: ExportsValue = pkg.exports;
  if (target && typeof target === 'object' && '.' in target) target = target['.'];
  for (let depth = 0; target && typeof target === 'object' && depth < 4; depth++) {
    target = target.import ?? target.default;
  }
  return typeof target === 'string' ? target : pkg.module;
}

async function importFromCwd(packageName: string): Promise<unknown> {
  // Loaded lazily so that @rollout/core stays importable where node:module does not exist.
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  const { dirname, join } = await import('node:path');
  const { readFile } = await import('node:fs/promises');
  const require = createRequire(`${process.cwd()}/package.json`);
  const cjsEntry = require.resolve(packageName);
  // require.resolve picks the CommonJS entry; importing it would load the CJS copy of
  // @rollout/core beside the ESM one (two RolloutError classes). Take the ESM entry.
  try {
    const manifest = require.resolve(`${packageName}/package.json`);
    const entry = esmEntry(JSON.parse(await readFile(manifest, 'utf8')));
    if (entry) return await import(pathToFileURL(join(dirname(manifest), entry)).href);
  } catch {
    // No readable manifest or ESM entry: fall back to what require resolved.
  }
  return import(pathToFileURL(cjsEntry).href);
}

function isMissingModule(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    message.includes(packageName)
  );
}

/**
 * Turns a store URL into a store, importing the store package on demand, so an
 * app that installed only `@rollout/core` and one store package can choose its
 * backend by configuration. A URL whose package is not installed fails with a
 * StoreUrlError that names the package to install. Secrets never appear in errors.
 */
export async function openStore(
  url: string,
  options: OpenStoreOptions = {},
): Promise<FeatureStore> {
  const parsed = parseStoreUrl(url);
  const { packageName } = parsed;
  const attempts: ((name: string) => Promise<unknown>)[] = options.importer
    ? [options.importer]
    : [(name) => import(name), importFromCwd];
  let mod: unknown;
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      mod = await attempt(packageName);
      break;
    } catch (error) {
      lastError = error;
      if (!isMissingModule(error, packageName)) break;
    }
  }
  if (mod === undefined) {
    if (lastError === undefined || isMissingModule(lastError, packageName)) {
      throw new StoreUrlError(
        `the store URL ${JSON.stringify(redactStoreUrl(parsed.url))} needs ${packageName}: install it (npm install ${packageName})`,
        { packageName },
      );
    }
    throw new StoreUrlError(`loading ${packageName} failed`, { packageName, cause: lastError });
  }
  const fromUrl = (mod as { storeFromUrl?: unknown }).storeFromUrl;
  if (typeof fromUrl !== 'function') {
    throw new StoreUrlError(`${packageName} does not export storeFromUrl(url)`, { packageName });
  }
  try {
    return (fromUrl as StoreFromUrl)(parsed.url);
  } catch (error) {
    if (error instanceof StoreUrlError) throw error;
    const reason =
      error instanceof Error
        ? error.message.replaceAll(parsed.url.password || '\u0000', '***')
        : '';
    throw new StoreUrlError(
      `cannot open ${JSON.stringify(redactStoreUrl(parsed.url))}: ${reason}`,
      {
        packageName,
        cause: error,
      },
    );
  }
}
