/** @rollout/store-redis: feature flags in Redis, changes pushed to every process with pub/sub. */
export { DEFAULT_COMMAND_TIMEOUT } from './connection.js';
export { DEFAULT_PREFIX, type KeyLayout } from './key-layout.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { storeFromUrl } from './store-from-url.js';
