/** @rollout/store-file: feature flags in one human-editable JSON file, atomic and watched. */
export { FILE_FORMAT } from './file-format.js';
export { FileStore, type FileStoreOptions } from './file-store.js';
export { storeFromUrl } from './store-from-url.js';
