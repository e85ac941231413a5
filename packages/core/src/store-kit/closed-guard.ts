import { ClosedError } from '../errors.js';

/**
 * The closed state of a store. Every contract member calls `assertOpen()` first,
 * so that after `close()` each one rejects with ClosedError (code `CLOSED`);
 * `close(release)` runs `release` once, and a second `close()` waits for the
 * first and does nothing more.
 */
export class ClosedGuard {
  private closing: Promise<void> | undefined;

  /** @param store the store's name, as in its errors (`redis`, `file`...). */
  constructor(private readonly store: string) {}

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Throws ClosedError when the store was closed. */
  assertOpen(): void {
    if (this.closing !== undefined) throw new ClosedError(`${this.store} store`);
  }

  /** Marks the store closed and runs `release` the first time; later calls return the same promise. */
  close(release: () => Promise<void> | void = () => {}): Promise<void> {
    this.closing ??= (async () => release())();
    return this.closing;
  }
}
