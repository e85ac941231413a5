import { expectScheme } from '@rollout/core/store';
import { MemoryStore } from './memory-store.js';

/**
 * Opens a memory store from a `memory:` URL (used by `openStore` in @rollout/core).
 * Every call gives a new, empty store: memory is never shared between processes.
 * Any other scheme throws StoreUrlError (code `INVALID_STORE_URL`).
 */
export function storeFromUrl(url: URL): MemoryStore {
  expectScheme(url, 'memory', ['memory:']);
  return new MemoryStore();
}
