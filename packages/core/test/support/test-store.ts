import type { Feature } from '../../src/index.js';
import { MemoryFeatureStore } from '../../src/store-kit/index.js';

/** Options of {@link TestStore}. */
export interface TestStoreOptions {
  /** Push changes to subscribers (default true); false makes clients poll. */
  push?: boolean;
  /** Poll interval clients should use, in ms (default 20, so polling tests stay quick). */
  pollIntervalMs?: number;
}

/**
 * The reference in-memory store with the switches core's tests need: push or
 * polling, a quick poll interval, a count of what reached the backend, and ways to
 * lose or hand-edit data behind the clients' backs. {@link FlakyStore} wraps it to
 * simulate an outage.
 */
export class TestStore extends MemoryFeatureStore {
  /** Number of successful `put` and `remove` calls. */
  writes = 0;

  constructor(options: TestStoreOptions = {}) {
    super({
      name: 'test',
      capabilities: {
        push: options.push ?? true,
        pollIntervalMs: options.pollIntervalMs ?? 20,
      },
    });
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.guard.closed;
  }

  /** Number of live subscribers. */
  get subscribers(): number {
    return this.listeners.size;
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
    this.listeners.resync();
  }

  protected override changed(name: string, feature: Feature | undefined): void {
    this.writes++;
    super.changed(name, feature);
  }
}
