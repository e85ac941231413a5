/** @rollout/store-redis: feature flags in Redis, changes pushed to every process with pub/sub. */
export { DEFAULT_PREFIX, type KeyLayout } from './layout.js';
export { DEFAULT_COMMAND_TIMEOUT, type RedisStoreOptions } from './options.js';
export { RedisStore } from './redis-store.js';
export { storeFromUrl } from './store-from-url.js';
