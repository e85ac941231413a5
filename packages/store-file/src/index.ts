/** @rollout/store-file: feature flags in one human-editable JSON file, atomic and watched. */
export { FileStore } from './file-store.js';
export { FILE_FORMAT } from './layout.js';
export type { FileStoreOptions } from './options.js';
export { storeFromUrl } from './store-from-url.js';
