/** @rollout/store-sqlite: feature flags in one SQLite file, shared by every process on the machine. */
export { DEFAULT_TABLE } from './layout.js';
export type { SqliteStoreOptions } from './options.js';
export { SqliteStore } from './sqlite-store.js';
export { storeFromUrl } from './store-from-url.js';
