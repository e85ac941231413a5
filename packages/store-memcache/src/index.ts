/** @rollout/store-memcache: feature store on memcached (memjs), compare-and-set writes, honest about eviction. */
export { MemcacheStore, type MemcacheStoreOptions } from './memcache-store.js';
export { optionsFromUrl, storeFromUrl } from './store-from-url.js';
