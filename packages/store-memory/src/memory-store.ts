import {
  type Feature,
  type FeatureStore,
  type HistoryEntry,
  parseFeature,
  type StoreCapabilities,
  type StoreListener,
  type StoreSnapshot,
  VersionConflictError,
} from '@rollout/core';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Features to start with (validated; versions start at 1). */
  features?: readonly Feature[];
  /** How many history entries to keep. Default 1000. */
  historyLimit?: number;
}

/**
 * The reference store: everything in this process's memory. Atomic because each
 * operation runs synchronously on the event loop; changes are pushed to every
 * subscriber of the same instance (share one instance between clients to share
 * flags). Data is lost when the process exits.
 */
export class MemoryStore implements FeatureStore {
  readonly name = 'memory';
  readonly capabilities: StoreCapabilities = {
    push: true,
    multiProcess: false,
    durable: false,
    pollIntervalMs: 5000,
    history: true,
  };

  // A Map, never an object: names such as "__proto__" are plain keys.
  private readonly features = new Map<string, Feature>();
  private rev = 0;
  private readonly listeners = new Set<StoreListener>();
  private readonly log: HistoryEntry[] = [];
  private readonly historyLimit: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? 1000;
    for (const raw of options.features ?? []) {
      const f = parseFeature(raw);
      f.version = 1;
      this.features.set(f.name, f);
    }
  }

  /** Nothing to open; resolves at once. */
  async connect(): Promise<void> {}

  /** Every feature, as copies, with the current revision. */
  async snapshot(): Promise<StoreSnapshot> {
    return { revision: this.rev, features: [...this.features.values()].map(copy) };
  }

  /** A copy of one feature, or undefined. */
  async get(name: string): Promise<Feature | undefined> {
    const f = this.features.get(name);
    return f ? copy(f) : undefined;
  }

  /** The current revision. */
  async revision(): Promise<number> {
    return this.rev;
  }

  /** Compare-and-set write; see FeatureStore.put. */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    const current = this.features.get(feature.name);
    if ((current?.version ?? 0) !== expectedVersion) throw new VersionConflictError(feature.name);
    const stored = copy({ ...feature, version: expectedVersion + 1 });
    this.features.set(stored.name, stored);
    this.changed(stored.name, stored);
    return copy(stored);
  }

  /** Compare-and-delete; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    const current = this.features.get(name);
    if (!current) {
      if (expectedVersion !== undefined && expectedVersion !== 0)
        throw new VersionConflictError(name);
      return false;
    }
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      throw new VersionConflictError(name);
    this.features.delete(name);
    this.changed(name, undefined);
    return true;
  }

  /** Calls the listener for every change made through this instance. */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  /** The most recent changes, newest first. */
  async history(options: { name?: string; limit?: number } = {}): Promise<HistoryEntry[]> {
    const entries =
      options.name === undefined ? this.log : this.log.filter((e) => e.name === options.name);
    return entries
      .slice(-(options.limit ?? this.historyLimit))
      .reverse()
      .map((e) => ({ ...e, feature: e.feature && copy(e.feature) }));
  }

  /**
   * Nothing to release. Subscribers and data stay: several clients may share one
   * instance, and each client's own close() unsubscribes only itself.
   */
  async close(): Promise<void> {}

  private changed(name: string, feature: Feature | undefined): void {
    this.rev++;
    this.log.push({
      revision: this.rev,
      name,
      at: new Date().toISOString(),
      feature: feature && copy(feature),
    });
    if (this.log.length > this.historyLimit)
      this.log.splice(0, this.log.length - this.historyLimit);
    const change = { revision: this.rev, name };
    // Deliver asynchronously, as a real backend would, so a writer never re-enters its own listener.
    for (const listener of [...this.listeners]) queueMicrotask(() => listener.change(change));
  }
}

function copy(feature: Feature): Feature {
  return structuredClone(feature);
}
