import {
  type Feature,
  type FeatureStore,
  type StoreCapabilities,
  type StoreListener,
  type StoreSnapshot,
  StoreUnavailableError,
} from '../../src/index.js';

/**
 * Wraps a store (usually a shared TestStore) for ONE client, so a test can cut that
 * client off while others keep writing: `setDown(true)` makes every member reject
 * with StoreUnavailableError and tells the subscriber its push channel failed;
 * notifications are dropped while down, as a dead connection would. `hold()` parks
 * `get` calls until `release()`, to order a refresh after other writes; `holdPuts()`
 * delays write answers to deliver them out of order.
 */
export class FlakyStore implements FeatureStore {
  readonly name = 'flaky';
  readonly capabilities: StoreCapabilities;
  /** Whether the store is currently unreachable. */
  down = false;
  /** While true, change notifications are dropped silently (a lost message), calls still work. */
  muted = false;
  /** Rejected calls so far. */
  failures = 0;
  closed = false;
  private listener: StoreListener | undefined;
  private held: (() => void)[] | undefined;
  private heldPuts: (() => void)[] | undefined;

  constructor(private readonly inner: FeatureStore) {
    this.capabilities = inner.capabilities;
  }

  /** Cuts the connection (true) or restores it (false). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) {
      const listener = this.listener;
      const error = this.unavailable();
      if (listener) queueMicrotask(() => listener.error(error));
    }
  }

  /** From now on `get` waits until {@link release}. */
  hold(): void {
    this.held ??= [];
  }

  /** Lets parked `get` calls continue and stops parking new ones. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }

  /** From now on `put` writes at once but its answer waits until {@link releasePuts}. */
  holdPuts(): void {
    this.heldPuts ??= [];
  }

  /** Delivers the parked `put` answers, newest first: the order a connection pool may give. */
  releasePuts(): void {
    const waiting = this.heldPuts ?? [];
    this.heldPuts = undefined;
    for (const go of waiting.reverse()) go();
  }

  async connect(): Promise<void> {
    this.check();
    await this.inner.connect();
  }

  async snapshot(): Promise<StoreSnapshot> {
    this.check();
    return this.inner.snapshot();
  }

  async get(name: string): Promise<Feature | undefined> {
    this.check();
    if (this.held) await new Promise<void>((resolve) => this.held?.push(resolve));
    this.check();
    return this.inner.get(name);
  }

  async revision(): Promise<number> {
    this.check();
    return this.inner.revision();
  }

  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    this.check();
    const stored = await this.inner.put(feature, expectedVersion);
    if (this.heldPuts) await new Promise<void>((resolve) => this.heldPuts?.push(resolve));
    return stored;
  }

  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    this.check();
    return this.inner.remove(name, expectedVersion);
  }

  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.check();
    this.listener = listener;
    const stop = await this.inner.subscribe?.({
      change: (change) => {
        if (!this.down && !this.muted) listener.change(change);
      },
      resync: () => {
        if (!this.down && !this.muted) listener.resync();
      },
      error: (error) => listener.error(error),
    });
    return async () => {
      this.listener = undefined;
      await stop?.();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.down) {
      this.failures++;
      throw this.unavailable();
    }
  }

  private unavailable(): StoreUnavailableError {
    return new StoreUnavailableError(this.name, 'connection refused (switched off by the test)', {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:1'),
    });
  }
}
