import {
  type Feature,
  type FeatureStore,
  type StoreCapabilities,
  type StoreListener,
  type StoreSnapshot,
  VersionConflictError,
} from '../../src/index.js';

/** Options of {@link TestStore}. */
export interface TestStoreOptions {
  /** Push changes to subscribers (default true); false makes clients poll. */
  push?: boolean;
  /** Poll interval clients should use, in ms (default 20, so polling tests stay quick). */
  pollIntervalMs?: number;
}

/**
 * A tiny in-memory FeatureStore for core's own tests. It mirrors the reference
 * MemoryStore (which core cannot depend on: @rollout/store-memory depends on core,
 * and a devDependency back would be a cycle in turbo's graph) and adds switches a
 * test needs: a switch between push and polling, and a count of what reached
 * the backend. {@link FlakyStore} wraps it to simulate an outage.
 */
export class TestStore implements FeatureStore {
  readonly name = 'test';
  readonly capabilities: StoreCapabilities;
  /** Number of successful `put` and `remove` calls. */
  writes = 0;
  closed = false;

  private readonly features = new Map<string, Feature>();
  private rev = 0;
  private readonly listeners = new Set<StoreListener>();

  constructor(options: TestStoreOptions = {}) {
    this.capabilities = {
      push: options.push ?? true,
      multiProcess: false,
      durable: false,
      pollIntervalMs: options.pollIntervalMs ?? 20,
      history: false,
    };
  }

  async connect(): Promise<void> {}

  async snapshot(): Promise<StoreSnapshot> {
    return { revision: this.rev, features: [...this.features.values()].map(copy) };
  }

  async get(name: string): Promise<Feature | undefined> {
    const f = this.features.get(name);
    return f ? copy(f) : undefined;
  }

  async revision(): Promise<number> {
    return this.rev;
  }

  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    const current = this.features.get(feature.name);
    if ((current?.version ?? 0) !== expectedVersion) throw new VersionConflictError(feature.name);
    const stored = copy({ ...feature, version: expectedVersion + 1 });
    this.features.set(stored.name, stored);
    this.changed(stored.name);
    return copy(stored);
  }

  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    const current = this.features.get(name);
    if (!current) return false;
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new VersionConflictError(name);
    }
    this.features.delete(name);
    this.changed(name);
    return true;
  }

  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  /**
   * Loses every feature and restarts the revision at 0 without telling anyone, as a
   * memcached restart or an emptied backend would.
   */
  reset(): void {
    this.features.clear();
    this.rev = 0;
  }

  /**
   * Changes a stored record's content in place, keeping its version and timestamps, as a
   * hand-edited flag file does; only the revision moves, and nobody is notified.
   */
  editInPlace(name: string, edit: (feature: Feature) => void): void {
    const f = this.features.get(name);
    if (!f) throw new Error(`no feature ${name}`);
    edit(f);
    this.rev++;
  }

  /** Tells every subscriber to reload everything, as a store does after losing its push channel. */
  resyncAll(): void {
    for (const l of [...this.listeners]) queueMicrotask(() => l.resync());
  }

  /** Number of live subscribers. */
  get subscribers(): number {
    return this.listeners.size;
  }

  private changed(name: string): void {
    this.rev++;
    this.writes++;
    if (!this.capabilities.push) return;
    const change = { revision: this.rev, name };
    for (const l of [...this.listeners]) queueMicrotask(() => l.change(change));
  }
}

function copy(feature: Feature): Feature {
  return structuredClone(feature);
}

/** Resolves with the next payload of `event`, or rejects after `ms` (a hang guard, not a timing assertion). */
export function nextEvent<T>(
  on: (listener: (payload: T) => void) => () => void,
  ms = 5000,
  filter: (payload: T) => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`event not seen within ${ms} ms`));
    }, ms);
    const off = on((payload) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Polls `check` until it returns true (hang guard `ms`). */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
