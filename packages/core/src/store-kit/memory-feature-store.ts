import type { Feature } from '../model.js';
import {
  type ApplyOptions,
  type ApplyResult,
  applyOperations,
  type FeatureOperation,
} from '../operations.js';
import type {
  FeatureStore,
  HistoryEntry,
  HistoryQuery,
  StoreCapabilities,
  StoreListener,
  StoreSnapshot,
  WriteContext,
} from '../store.js';
import { checkHistoryQuery, checkWriteContext } from '../validation/history.js';
import { parseFeature } from '../validation.js';
import { checkApplyArguments } from './apply-arguments.js';
import { ClosedGuard } from './closed-guard.js';
import { copyFeature } from './copy.js';
import { appendToLog, DEFAULT_HISTORY_LIMIT, historyEntry, queryLog } from './history-log.js';
import { ListenerSet } from './listener-set.js';
import { positiveInteger } from './options.js';
import { checkFeatureRecord } from './records.js';
import { checkExpectedVersion, versionConflict } from './versions.js';

/** Options of {@link MemoryFeatureStore}. */
export interface MemoryFeatureStoreOptions {
  /** The store's name in errors and tools. Default `memory`. */
  name?: string;
  /** Features to start with (validated; versions start at 1). */
  features?: readonly Feature[];
  /** How many history entries to keep per feature. Default 1000. */
  historyLimit?: number;
  /** Overrides of the declared capabilities (push, pollIntervalMs...). */
  capabilities?: Partial<StoreCapabilities>;
}

/**
 * The reference implementation of the store contract, in this process's memory.
 * Atomic because each operation runs synchronously on the event loop; changes are
 * pushed to every subscriber of the same instance. `@rollout/store-memory` is this
 * class under its package name; tests subclass it to simulate backends (a store
 * that only polls, one that loses its data).
 */
export class MemoryFeatureStore implements FeatureStore {
  readonly name: string;
  readonly capabilities: StoreCapabilities;

  // A Map, never an object: names such as "__proto__" are plain keys.
  protected readonly features = new Map<string, Feature>();
  protected rev = 0;
  protected readonly listeners = new ListenerSet();
  protected readonly guard: ClosedGuard;
  private readonly log: HistoryEntry[] = [];
  private readonly historyLimit: number;

  constructor(options: MemoryFeatureStoreOptions = {}) {
    this.name = options.name ?? 'memory';
    this.guard = new ClosedGuard(this.name);
    this.capabilities = {
      push: true,
      multiProcess: false,
      durable: false,
      pollIntervalMs: 5000,
      history: true,
      apply: true,
      ...options.capabilities,
    };
    this.historyLimit = positiveInteger(
      'historyLimit',
      options.historyLimit,
      DEFAULT_HISTORY_LIMIT,
    );
    for (const raw of options.features ?? []) {
      const f = parseFeature(raw);
      f.version = 1;
      this.features.set(f.name, f);
    }
  }

  /** Nothing to open; resolves at once (rejects with ClosedError after close). */
  async connect(): Promise<void> {
    this.guard.assertOpen();
  }

  /** Every feature, as copies, with the current revision. */
  async snapshot(): Promise<StoreSnapshot> {
    this.guard.assertOpen();
    return { revision: this.rev, features: [...this.features.values()].map(copyFeature) };
  }

  /** A copy of one feature, or undefined. */
  async get(name: string): Promise<Feature | undefined> {
    this.guard.assertOpen();
    const f = this.features.get(name);
    return f ? copyFeature(f) : undefined;
  }

  /** The current revision. */
  async revision(): Promise<number> {
    this.guard.assertOpen();
    return this.rev;
  }

  /**
   * Compare-and-set write of a validated record (ValidationError otherwise), with its
   * history entry; see FeatureStore.put.
   */
  async put(feature: Feature, expectedVersion: number, context?: WriteContext): Promise<Feature> {
    this.guard.assertOpen();
    checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    const current = this.features.get(feature.name);
    const stored = current?.version ?? 0;
    if (stored !== expectedVersion)
      throw versionConflict(this.name, feature.name, expectedVersion, stored);
    // Validated like every store's put: what is written can always be read back.
    const record = checkFeatureRecord(feature);
    record.version = expectedVersion + 1;
    this.features.set(record.name, record);
    this.changed(record.name, record);
    this.record(record.name, record, current, checked);
    return copyFeature(record);
  }

  /**
   * Applies checked operations in one synchronous step (nothing interleaves), with
   * one version, revision, notification and history entry when they change the
   * feature; see FeatureStore.apply.
   */
  async apply(
    name: string,
    operations: readonly FeatureOperation[],
    options: ApplyOptions = {},
    context?: WriteContext,
  ): Promise<ApplyResult> {
    this.guard.assertOpen();
    const checked = checkApplyArguments(name, operations, context);
    const current = this.features.get(checked.name);
    const result = applyOperations(checked.name, current, checked.operations, options);
    if (!result.changed) {
      const { version, createdAt } = result.feature;
      return { feature: copyFeature(result.feature), changed: false, version, createdAt };
    }
    const record = checkFeatureRecord(result.feature);
    record.version = (current?.version ?? 0) + 1;
    this.features.set(record.name, record);
    this.changed(record.name, record);
    this.record(record.name, record, current, checked.context);
    const { version, createdAt } = record;
    return { feature: copyFeature(record), changed: true, version, createdAt, revision: this.rev };
  }

  /** Compare-and-delete, with its history entry; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number, context?: WriteContext): Promise<boolean> {
    this.guard.assertOpen();
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    const current = this.features.get(name);
    if (!current) {
      if (expectedVersion !== undefined && expectedVersion !== 0)
        throw versionConflict(this.name, name, expectedVersion, 0);
      return false;
    }
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      throw versionConflict(this.name, name, expectedVersion, current.version);
    this.features.delete(name);
    this.changed(name, undefined);
    this.record(name, undefined, current, checked);
    return true;
  }

  /** Calls the listener for every change made through this instance. */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.guard.assertOpen();
    return this.listeners.add(listener);
  }

  /** A page of the history, newest first; see FeatureStore.history. */
  async history(query?: HistoryQuery): Promise<HistoryEntry[]> {
    this.guard.assertOpen();
    return queryLog(this.log, checkHistoryQuery(query));
  }

  /**
   * Drops the subscribers; every member rejects with ClosedError from now on. Data
   * is gone with the instance. Clients sharing one instance pass `closeStore: false`
   * to all but the last one to close.
   */
  close(): Promise<void> {
    return this.guard.close(() => this.listeners.clear());
  }

  /** Bumps the revision and notifies subscribers. */
  protected changed(name: string, _feature: Feature | undefined): void {
    this.rev++;
    if (!this.capabilities.push) return;
    this.listeners.change(
      _feature
        ? { revision: this.rev, name, version: _feature.version }
        : { revision: this.rev, name },
    );
  }

  // The write's history entry, at the revision `changed` just produced; in the same
  // synchronous step as the write, so no other operation sees one without the other.
  private record(
    name: string,
    feature: Feature | undefined,
    previous: Feature | undefined,
    context: WriteContext,
  ): void {
    const at = new Date().toISOString();
    const entry = historyEntry({ revision: this.rev, name, feature, previous, at, context });
    appendToLog(this.log, entry, this.historyLimit);
  }
}
