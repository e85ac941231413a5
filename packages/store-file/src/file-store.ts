import { type Feature, parseFeature } from '@rollout/core';
import {
  type ApplyOptions,
  type ApplyResult,
  applyOperations,
  ClosedGuard,
  checkApplyArguments,
  checkExpectedVersion,
  checkHistoryQuery,
  checkWriteContext,
  copyFeature,
  type FeatureOperation,
  type FeatureStore,
  type HistoryEntry,
  type HistoryQuery,
  type StoreCapabilities,
  type StoreListener,
  type StoreSnapshot,
  versionConflict,
  type WriteContext,
} from '@rollout/core/store';
import { ChangeFeed } from './change-feed.js';
import { DocumentCache } from './document-cache.js';
import { STORE_NAME } from './errors.js';
import { FileWriter } from './file-writer.js';
import { queryHistory } from './history.js';
import { type FileStoreOptions, type ResolvedOptions, resolveOptions } from './options.js';

/**
 * A store in one human-editable JSON file (see the README for the layout).
 *
 * - Reads parse and validate the whole file (cached by inode, size and mtime, so
 *   polling `revision()` is one `fstat`). A file that does not parse gives
 *   `CorruptDataError` with `path:line:column`, and is never overwritten.
 * - Writes take an inter-process lock file (`<path>.lock`), re-read the file,
 *   compare-and-set the version, bump the revision and replace the file atomically
 *   (temp file, fsync, rename, directory fsync). Writers in any number of
 *   processes lose nothing.
 * - `subscribe` watches the directory (with polling as a fallback) and reports
 *   changes made by any process or by hand.
 * - After `close()` every member rejects with ClosedError (code `CLOSED`).
 */
export class FileStore implements FeatureStore {
  /** Always `file`. */
  readonly name = STORE_NAME;
  /** push (watch), multiProcess, durable and history (the sidecar `<path>.history.json`). */
  readonly capabilities: StoreCapabilities;
  /** Absolute path of the flags file. */
  readonly path: string;
  /** Absolute path of the lock file next to it. */
  readonly lockPath: string;
  /** Absolute path of the history sidecar next to it. */
  readonly historyPath: string;

  private readonly options: ResolvedOptions;
  private readonly guard = new ClosedGuard(STORE_NAME);
  private readonly cache: DocumentCache;
  private readonly writer: FileWriter;
  private readonly feed: ChangeFeed;

  constructor(options: FileStoreOptions) {
    this.options = resolveOptions(options);
    this.path = this.options.path;
    this.lockPath = this.options.lockPath;
    this.historyPath = this.options.historyPath;
    this.capabilities = {
      push: true,
      multiProcess: true,
      durable: true,
      pollIntervalMs: this.options.pollInterval,
      history: true,
      apply: true,
    };
    this.cache = new DocumentCache(this.path);
    this.feed = new ChangeFeed(this.options, {
      load: () => this.cache.load(),
      writes: () => this.writer.writes,
    });
    this.writer = new FileWriter(this.options, this.cache, (doc, name) =>
      this.feed.ownWrite(doc, name),
    );
  }

  /**
   * Creates the directory when `createDirectory` is set, then reads the file once
   * so a corrupt file is reported at once (CorruptDataError). A missing file is fine:
   * it is an empty store, created on the first write.
   */
  async connect(): Promise<void> {
    this.guard.assertOpen();
    if (this.options.createDirectory) await this.writer.ensureDirectory();
    await this.cache.load();
  }

  /** Every feature in the file and its revision, read in one go (one file, one read). */
  async snapshot(): Promise<StoreSnapshot> {
    this.guard.assertOpen();
    const doc = await this.cache.load();
    return { revision: doc.revision, features: [...doc.features.values()].map(copyFeature) };
  }

  /** One feature, or undefined when the file (or the feature) does not exist. */
  async get(name: string): Promise<Feature | undefined> {
    this.guard.assertOpen();
    const feature = (await this.cache.load()).features.get(name);
    return feature ? copyFeature(feature) : undefined;
  }

  /** The file's `revision` (0 when it does not exist). One `fstat` when unchanged. */
  async revision(): Promise<number> {
    this.guard.assertOpen();
    return (await this.cache.load()).revision;
  }

  /** Compare-and-set write and its history entry, under the file lock; see FeatureStore.put. */
  async put(feature: Feature, expectedVersion: number, context?: WriteContext): Promise<Feature> {
    this.guard.assertOpen();
    checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    // Validated and normalized before anything touches the file.
    const clean = parseFeature(feature);
    return this.writer.write((doc) => {
      const current = doc.features.get(clean.name)?.version ?? 0;
      if (current !== expectedVersion) {
        throw versionConflict(STORE_NAME, clean.name, expectedVersion, current);
      }
      const stored: Feature = { ...clean, version: expectedVersion + 1 };
      const features = new Map(doc.features);
      features.set(stored.name, stored);
      const previous = doc.features.get(stored.name);
      const history = { name: stored.name, feature: stored, previous, context: checked };
      return { name: stored.name, features, result: copyFeature(stored), history };
    });
  }

  /**
   * Applies the operations to the feature as the file holds it under the lock, and
   * writes it with its history entry: the lock already serializes writers, so there is
   * no version to compare and nothing to retry; see FeatureStore.apply.
   */
  async apply(
    name: string,
    operations: readonly FeatureOperation[],
    options: ApplyOptions = {},
    context?: WriteContext,
  ): Promise<ApplyResult> {
    this.guard.assertOpen();
    const checked = checkApplyArguments(name, operations, context);
    return this.writer.write<ApplyResult>((doc) => {
      const previous = doc.features.get(checked.name);
      const next = applyOperations(checked.name, previous, checked.operations, options);
      if (!next.changed) {
        return {
          name: checked.name,
          features: undefined,
          result: {
            feature: copyFeature(next.feature),
            changed: false,
            version: next.feature.version,
            createdAt: next.feature.createdAt,
          },
        };
      }
      const stored: Feature = {
        ...parseFeature(next.feature),
        version: (previous?.version ?? 0) + 1,
      };
      const features = new Map(doc.features);
      features.set(stored.name, stored);
      const history = { name: stored.name, feature: stored, previous, context: checked.context };
      return {
        name: stored.name,
        features,
        result: {
          feature: copyFeature(stored),
          changed: true,
          version: stored.version,
          createdAt: stored.createdAt,
        },
        history,
      };
    });
  }

  /** Compare-and-delete and its history entry, under the file lock; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number, context?: WriteContext): Promise<boolean> {
    this.guard.assertOpen();
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    return this.writer.write((doc) => {
      const current = doc.features.get(name);
      if (!current) {
        if (expectedVersion !== undefined && expectedVersion !== 0) {
          throw versionConflict(STORE_NAME, name, expectedVersion, 0);
        }
        return { name, features: undefined, result: false };
      }
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw versionConflict(STORE_NAME, name, expectedVersion, current.version);
      }
      const features = new Map(doc.features);
      features.delete(name);
      const history = { name, feature: undefined, previous: current, context: checked };
      return { name, features, result: true, history };
    });
  }

  /** A page of the history sidecar (entries up to the flags file's revision); see FeatureStore.history. */
  async history(query?: HistoryQuery): Promise<HistoryEntry[]> {
    this.guard.assertOpen();
    const checked = checkHistoryQuery(query);
    const { revision } = await this.cache.load();
    return queryHistory(this.historyPath, revision, checked);
  }

  /**
   * Reports changes by any process (and hand edits) until the returned function
   * is called. A write through this instance is reported at once. Anything else
   * is found by comparing the file with what was last reported: when the revision
   * moved by one and exactly one feature differs, `change({ revision, name })`;
   * when several changed at once, the file was edited by hand, replaced or
   * deleted, `resync()`. An unreadable file is reported once through `error`
   * (a deleted file as `DataLostError`, then `resync()`).
   */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.guard.assertOpen();
    return this.feed.subscribe(listener);
  }

  /**
   * Stops watching and drops the subscribers (there is no connection to close);
   * every member rejects with ClosedError from now on. A second call does nothing.
   */
  close(): Promise<void> {
    return this.guard.close(() => this.feed.close());
  }
}
