import { StoreUrlError } from '../errors.js';
import { redactStoreUrl } from '../open-store.js';

/**
 * Checks that `url` has one of `schemes` (with the colon: `redis:`) before a store's
 * `storeFromUrl` reads it. Throws StoreUrlError (a ValidationError with code
 * `INVALID_STORE_URL`) that names the store and shows the URL without secrets.
 */
export function expectScheme(url: URL, store: string, schemes: readonly string[]): void {
  if (schemes.includes(url.protocol)) return;
  const expected = schemes.map((s) => `${s}`).join(' or ');
  throw new StoreUrlError(
    `[${store}] expected a ${expected} URL, got ${JSON.stringify(redactStoreUrl(url))}`,
  );
}

/**
 * Reads a positive number from the URL's query (`?pollInterval=500`); undefined when
 * absent. Throws StoreUrlError naming the parameter when present but not a positive number.
 */
export function urlNumber(url: URL, store: string, key: string): number | undefined {
  const raw = url.searchParams.get(key);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new StoreUrlError(`[${store}] ${key}=${JSON.stringify(raw)} must be a positive number`);
  }
  return value;
}

/**
 * Reads a boolean from the URL's query (`true`/`false`, `1`/`0`); undefined when absent.
 * Throws StoreUrlError naming the parameter for anything else.
 */
export function urlBoolean(url: URL, store: string, key: string): boolean | undefined {
  const raw = url.searchParams.get(key);
  if (raw === null) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new StoreUrlError(`[${store}] ${key}=${JSON.stringify(raw)} must be true or false`);
}
