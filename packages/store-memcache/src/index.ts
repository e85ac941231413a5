/** @rollout/store-memcache: feature store on memcached (memjs), compare-and-set writes, honest about eviction. */

export { INDEX_SHARDS, shardOf } from './layout.js';
export { MemcacheStore } from './memcache-store.js';
export type { MemcacheStoreOptions } from './options.js';
export { optionsFromUrl, storeFromUrl } from './store-from-url.js';
