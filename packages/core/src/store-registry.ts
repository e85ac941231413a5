import { StoreUrlError } from './errors.js';
import type { FeatureStore } from './store.js';

/** A store package's URL entry point: every store package exports one as `storeFromUrl`. */
export type StoreFromUrl = (url: URL) => FeatureStore | Promise<FeatureStore>;

/** What a store loader gives: a module (or any object) with a `storeFromUrl`. */
export interface StoreModule {
  readonly storeFromUrl: StoreFromUrl;
}

/**
 * Loads the store of one scheme on demand, e.g. `() => import('./acme-store.js')`,
 * or `() => ({ storeFromUrl: (url) => new AcmeStore({ url: url.href }) })`.
 */
export type StoreLoader = () => StoreModule | Promise<StoreModule>;

/**
 * The schemes of the stores published as `@rollout/store-*`, and their package.
 * Any other scheme `x:` resolves to the package `rollout-store-x` (see
 * {@link storePackageFor}), unless {@link registerStore} registered a loader for it.
 */
export const STORE_PACKAGES: Readonly<Record<string, string>> = {
  'memory:': '@rollout/store-memory',
  'file:': '@rollout/store-file',
  'redis:': '@rollout/store-redis',
  'rediss:': '@rollout/store-redis',
  'postgres:': '@rollout/store-postgres',
  'postgresql:': '@rollout/store-postgres',
  'memcache:': '@rollout/store-memcache',
  'sqlite:': '@rollout/store-sqlite',
};

const SCHEME = /^[a-z][a-z0-9+.-]*:$/;
const loaders = new Map<string, StoreLoader>();

/** `redis`, `redis:` or `REDIS:` → `redis:`; StoreUrlError for anything that is not a URL scheme. */
export function normalizeScheme(scheme: string): string {
  const text = typeof scheme === 'string' ? scheme.toLowerCase() : '';
  const withColon = text.endsWith(':') ? text : `${text}:`;
  if (!SCHEME.test(withColon)) {
    throw new StoreUrlError(
      `${JSON.stringify(scheme)} is not a URL scheme (letters, digits, "+", "-", "."; a letter first)`,
    );
  }
  return withColon;
}

/**
 * Makes `openStore` open URLs of `scheme` (`acme` or `acme:`) with `loader`,
 * taking precedence over the package convention (and over a built-in store of
 * that scheme). For stores that do not follow the `rollout-store-<scheme>`
 * naming: an app's own store, a scoped package, a store under test.
 * Returns a function that removes the registration again.
 *
 * ```ts
 * registerStore('acme', () => import('@acme/flags-store'));
 * const store = await openStore('acme://flags.internal/prod');
 * ```
 */
export function registerStore(scheme: string, loader: StoreLoader): () => void {
  const key = normalizeScheme(scheme);
  if (typeof loader !== 'function') {
    throw new StoreUrlError(`registerStore(${JSON.stringify(key)}): the loader must be a function`);
  }
  loaders.set(key, loader);
  return () => {
    if (loaders.get(key) === loader) loaders.delete(key);
  };
}

/** The loader registered for `scheme` (with its colon), if any. */
export function registeredLoader(scheme: string): StoreLoader | undefined {
  return loaders.get(scheme);
}

/**
 * The package that opens URLs of `scheme` (with its colon), by the documented
 * convention: a scheme of {@link STORE_PACKAGES} → its `@rollout/store-*`
 * package; any other `x:` → `rollout-store-x`, which must export `storeFromUrl`.
 */
export function storePackageFor(scheme: string): string {
  return STORE_PACKAGES[scheme] ?? `rollout-store-${scheme.slice(0, -1)}`;
}

/** True when `scheme` is one of the built-in `@rollout/store-*` schemes. */
export function isBuiltInScheme(scheme: string): boolean {
  return Object.hasOwn(STORE_PACKAGES, scheme);
}
