import { HistoryUnsupportedError, ValidationError } from '../errors.js';
import type { Feature } from '../model.js';
import type { FeatureStore, HistoryEntry } from '../store.js';
import { checkHistoryQuery, type WriteOptions } from '../validation/history.js';
import { validateFeatureName } from '../validation.js';
import type { FeatureWriter } from './feature-writer.js';
import type { SyncLoop } from './sync-loop.js';

/** A page of history as `rollout.history` takes it. */
export interface HistoryPageOptions {
  /** At most this many entries, 1 to 1,000. Default 100. */
  limit?: number;
  /** Only entries older than this revision: the `revision` of the last entry of the previous page. */
  before?: number;
}

/**
 * The client's view of the store's change history: reading it a page at a time, and
 * restoring a version out of it (a write like any other, through the writer).
 */
export class ChangeHistory {
  constructor(
    private readonly store: FeatureStore,
    private readonly lifecycle: Pick<SyncLoop, 'assertOpen'>,
    private readonly writer: Pick<FeatureWriter, 'restore'>,
  ) {}

  /** Entries newest first; HistoryUnsupportedError when the store keeps none. */
  async list(name?: string, options: HistoryPageOptions = {}): Promise<HistoryEntry[]> {
    this.lifecycle.assertOpen();
    const query = checkHistoryQuery({ ...options, name });
    return this.read()(query);
  }

  /**
   * Writes version `version` of `name` back (the newest entry with that version, when
   * the feature was removed and created again since). ValidationError naming `version`
   * when history holds no such version, or only its removal.
   */
  async restore(name: string, version: number, options?: WriteOptions): Promise<Feature> {
    this.lifecycle.assertOpen();
    const checked = validateFeatureName(name);
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw new ValidationError('version', version, 'must be a positive integer');
    }
    const read = this.read();
    let before: number | undefined;
    for (;;) {
      const page = await read({ name: checked, limit: 1000, ...(before ? { before } : {}) });
      const entry = page.find((e) => e.version === version);
      if (entry?.feature) return this.writer.restore(entry.feature, options);
      if (entry) {
        throw new ValidationError(
          'version',
          version,
          `version ${version} of ${JSON.stringify(checked)} is its removal; restore a version before it`,
        );
      }
      const last = page[page.length - 1];
      if (page.length < 1000 || !last) break;
      before = last.revision;
    }
    throw new ValidationError(
      'version',
      version,
      `the history of ${JSON.stringify(checked)} holds no version ${version} (never written, or trimmed by retention)`,
    );
  }

  private read(): NonNullable<FeatureStore['history']> {
    const { store } = this;
    if (!store.capabilities.history || typeof store.history !== 'function') {
      throw new HistoryUnsupportedError(store.name);
    }
    return (query) => (store.history as NonNullable<FeatureStore['history']>).call(store, query);
  }
}
