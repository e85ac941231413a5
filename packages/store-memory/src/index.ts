/** @rollout/store-memory: the in-memory reference store. */
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { storeFromUrl } from './store-from-url.js';
