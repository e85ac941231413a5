import type { StoreError } from '../errors.js';
import type { StoreChange, StoreListener } from '../store.js';

/**
 * The subscribers of one store, for `subscribe`. Delivery is always asynchronous
 * (a microtask), as from a real backend, so a writer never re-enters its own
 * listener, and one listener that throws does not stop the others.
 */
export class ListenerSet {
  private readonly listeners = new Set<StoreListener>();

  /** Number of live subscribers. */
  get size(): number {
    return this.listeners.size;
  }

  /** Adds `listener`; the returned function removes it (idempotent), as `subscribe` must return. */
  add(listener: StoreListener): () => Promise<void> {
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells every subscriber that `change.name` changed. */
  change(change: StoreChange): void {
    this.each((l) => l.change(change));
  }

  /** Tells every subscriber to reload the whole snapshot (notifications may have been missed). */
  resync(): void {
    this.each((l) => l.resync());
  }

  /** Tells every subscriber that the push channel failed. */
  error(error: StoreError): void {
    this.each((l) => l.error(error));
  }

  /** Drops every subscriber (on close). */
  clear(): void {
    this.listeners.clear();
  }

  private each(call: (listener: StoreListener) => void): void {
    for (const listener of [...this.listeners]) {
      queueMicrotask(() => {
        // A listener was removed between the change and its delivery: it asked for no more.
        if (!this.listeners.has(listener)) return;
        try {
          call(listener);
        } catch {
          // A listener's own bug must not break delivery to the others or the store.
        }
      });
    }
  }
}
