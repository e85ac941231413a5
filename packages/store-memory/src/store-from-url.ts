import { StoreUrlError } from '@rollout/core';
import { MemoryStore } from './memory-store.js';

/**
 * Opens a memory store from a `memory:` URL (used by `openStore` in @rollout/core).
 * Every call gives a new, empty store: memory is never shared between processes.
 */
export function storeFromUrl(url: URL): MemoryStore {
  if (url.protocol !== 'memory:') {
    throw new StoreUrlError(`[memory] expected a memory: URL, got ${url.protocol}`);
  }
  return new MemoryStore();
}
