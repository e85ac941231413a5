import type { Feature } from '@rollout/core';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Features to start with (validated; versions start at 1). */
  features?: readonly Feature[];
  /** How many history entries to keep per feature (the oldest are dropped). Default 1000. */
  historyLimit?: number;
}
