import { MemoryFeatureStore } from '@rollout/core/store';
import type { MemoryStoreOptions } from './options.js';

/**
 * The reference store: everything in this process's memory, the kit's
 * MemoryFeatureStore under its package name. Atomic because each operation runs
 * synchronously on the event loop; changes are pushed to every subscriber of the
 * same instance. Data is lost when the process exits.
 *
 * `close()` is final: afterwards every member rejects with ClosedError (code
 * `CLOSED`), like every other store. Clients that share one instance to share flags
 * pass `closeStore: false`, so that closing one client leaves the store to the others;
 * close the store yourself once they are all closed.
 */
export class MemoryStore extends MemoryFeatureStore {
  constructor(options: MemoryStoreOptions = {}) {
    // Only the documented options: the name and capabilities stay the reference store's.
    super({ features: options.features, historyLimit: options.historyLimit });
  }
}
