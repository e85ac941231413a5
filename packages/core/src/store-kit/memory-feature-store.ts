import type { Feature } from '../model.js';
import type {
  FeatureStore,
  HistoryEntry,
  StoreCapabilities,
  StoreListener,
  StoreSnapshot,
} from '../store.js';
import { parseFeature } from '../validation.js';
import { ClosedGuard } from './closed-guard.js';
import { copyFeature } from './copy.js';
import { ListenerSet } from './listener-set.js';
import { checkFeatureRecord } from './records.js';
import { checkExpectedVersion, versionConflict } from './versions.js';

/** Options of {@link MemoryFeatureStore}. */
export interface MemoryFeatureStoreOptions {
  /** The store's name in errors and tools. Default `memory`. */
  name?: string;
  /** Features to start with (validated; versions start at 1). */
  features?: readonly Feature[];
  /** How many history entries to keep. Default 1000. */
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
      ...options.capabilities,
    };
    this.historyLimit = options.historyLimit ?? 1000;
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

  /** Compare-and-set write of a validated record (ValidationError otherwise); see FeatureStore.put. */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    this.guard.assertOpen();
    checkExpectedVersion(expectedVersion);
    const current = this.features.get(feature.name);
    const stored = current?.version ?? 0;
    if (stored !== expectedVersion)
      throw versionConflict(this.name, feature.name, expectedVersion, stored);
    // Validated like every store's put: what is written can always be read back.
    const record = checkFeatureRecord(feature);
    record.version = expectedVersion + 1;
    this.features.set(record.name, record);
    this.changed(record.name, record);
    return copyFeature(record);
  }

  /** Compare-and-delete; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    this.guard.assertOpen();
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
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
    return true;
  }

  /** Calls the listener for every change made through this instance. */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.guard.assertOpen();
    return this.listeners.add(listener);
  }

  /** The most recent changes, newest first. */
  async history(options: { name?: string; limit?: number } = {}): Promise<HistoryEntry[]> {
    this.guard.assertOpen();
    const entries =
      options.name === undefined ? this.log : this.log.filter((e) => e.name === options.name);
    return entries
      .slice(-(options.limit ?? this.historyLimit))
      .reverse()
      .map((e) => ({ ...e, feature: e.feature && copyFeature(e.feature) }));
  }

  /**
   * Drops the subscribers; every member rejects with ClosedError from now on. Data
   * is gone with the instance. Clients sharing one instance pass `closeStore: false`
   * to all but the last one to close.
   */
  close(): Promise<void> {
    return this.guard.close(() => this.listeners.clear());
  }

  /** Records a change: bumps the revision, keeps history, notifies subscribers. */
  protected changed(name: string, feature: Feature | undefined): void {
    this.rev++;
    this.log.push({
      revision: this.rev,
      name,
      at: new Date().toISOString(),
      feature: feature && copyFeature(feature),
    });
    if (this.log.length > this.historyLimit)
      this.log.splice(0, this.log.length - this.historyLimit);
    if (this.capabilities.push) this.listeners.change({ revision: this.rev, name });
  }
}
