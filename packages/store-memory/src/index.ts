/** @rollout/store-memory: the in-memory reference store. */
export { MemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './options.js';
export { storeFromUrl } from './store-from-url.js';
