import { StoreUrlError } from './errors.js';
import type { FeatureStore } from './store.js';
import {
  isBuiltInScheme,
  registeredLoader,
  type StoreFromUrl,
  type StoreModule,
  storePackageFor,
} from './store-registry.js';

/** A parsed store URL. */
export interface ParsedStoreUrl {
  /** The URL itself. */
  url: URL;
  /**
   * The package that opens it by the convention (`sqlite:` → `@rollout/store-sqlite`,
   * any other `x:` → `rollout-store-x`). A scheme given to `registerStore` opens
   * with its loader instead.
   */
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
 * `postgres://…`, `postgresql://…`, `memcache://host:port[,host:port]`,
 * `sqlite:./flags.db`, or `x:…` of a third-party store) and names the package
 * that opens it. Throws StoreUrlError for text that is not a URL.
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
  const packageName = storePackageFor(url.protocol);
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
 * backend by configuration. Which code opens a scheme, in this order:
 * 1. a loader given to {@link registerStore} for the scheme;
 * 2. the package the convention names: `memory:`, `file:`, `redis:`, `rediss:`,
 *    `postgres:`, `postgresql:`, `memcache:`, `sqlite:` → `@rollout/store-*`
 *    ({@link STORE_PACKAGES}); any other `x:` → `rollout-store-x`.
 * The module's `storeFromUrl(url)` makes the store. A package that is not
 * installed fails with a StoreUrlError naming it (for an unknown scheme, the
 * message gives both ways in). Secrets never appear in errors.
 */
export async function openStore(
  url: string,
  options: OpenStoreOptions = {},
): Promise<FeatureStore> {
  const parsed = parseStoreUrl(url);
  const loader = registeredLoader(parsed.url.protocol);
  const packageName = loader
    ? `the store registered for ${parsed.url.protocol}`
    : parsed.packageName;
  const mod = loader
    ? await loadRegistered(loader, packageName)
    : await importStorePackage(parsed, options);
  const fromUrl = (mod as Partial<StoreModule> | null)?.storeFromUrl;
  if (typeof fromUrl !== 'function') {
    throw new StoreUrlError(`${packageName} does not export storeFromUrl(url)`, { packageName });
  }
  try {
    return await (fromUrl as StoreFromUrl)(parsed.url);
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

async function loadRegistered(loader: () => unknown, what: string): Promise<unknown> {
  try {
    return await loader();
  } catch (error) {
    throw new StoreUrlError(`loading ${what} failed`, { cause: error });
  }
}

// Imports the package the convention names; a missing package says both ways in.
async function importStorePackage(
  parsed: ParsedStoreUrl,
  options: OpenStoreOptions,
): Promise<unknown> {
  const { packageName, url } = parsed;
  const attempts: ((name: string) => Promise<unknown>)[] = options.importer
    ? [options.importer]
    : [(name) => import(name), importFromCwd];
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      return await attempt(packageName);
    } catch (error) {
      lastError = error;
      if (!isMissingModule(error, packageName)) break;
    }
  }
  if (lastError === undefined || isMissingModule(lastError, packageName)) {
    throw missingPackage(url, packageName);
  }
  throw new StoreUrlError(`loading ${packageName} failed`, { packageName, cause: lastError });
}

function missingPackage(url: URL, packageName: string): StoreUrlError {
  const shown = JSON.stringify(redactStoreUrl(url));
  const scheme = url.protocol;
  if (isBuiltInScheme(scheme)) {
    return new StoreUrlError(
      `the store URL ${shown} needs ${packageName}: install it (npm install ${packageName})`,
      { packageName },
    );
  }
  return new StoreUrlError(
    `unknown store URL scheme ${JSON.stringify(scheme)} in ${shown}: no store is registered for it and ` +
      `${packageName} is not installed. Either install a package named ${packageName} that exports ` +
      `storeFromUrl(url) (the convention: scheme "x:" opens with package "rollout-store-x"), or call ` +
      `registerStore(${JSON.stringify(scheme)}, () => import('your-store-package')) before openStore`,
    { packageName },
  );
}
