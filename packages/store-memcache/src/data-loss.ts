import { DataLostError } from '@rollout/core';
import type { Item } from './binary-protocol.js';
import { decodeSentinel } from './codec.js';
import { STORE_NAME } from './errors.js';

/** The tail of every "this key vanished" problem: memcached gives no way to tell which cause. */
const VANISHED = '(evicted, or memcached lost data)';

/**
 * What this store knows about the incarnation of its data, and whether it saw that
 * data vanish. memcached may evict or forget everything (a restart, `flush_all`, LRU
 * eviction); the sentinel's id tells this incarnation from one re-created empty by
 * another process. Once a loss is reported, it stays reported until a snapshot reads
 * everything back or a restore succeeds: the client keeps its last snapshot and
 * reports itself stale meanwhile.
 */
export class DataLoss {
  /** Id of the sentinel (incarnation of the data) this store knows. */
  private generation: string | undefined;
  /** Set when a loss was detected and not yet resolved by a successful snapshot or restore. */
  private lost: DataLostError | undefined;

  constructor(
    private readonly prefix: string,
    private readonly sentinelKey: string,
  ) {}

  /** True while a loss is reported and not resolved. */
  get reported(): boolean {
    return this.lost !== undefined;
  }

  /** Records a loss and returns the DataLostError to throw; `problem` says what vanished. */
  mark(problem: string): DataLostError {
    const error = new DataLostError(
      STORE_NAME,
      `${problem} (prefix ${JSON.stringify(this.prefix)}); serving the last snapshot until the data is restored`,
    );
    this.lost = error;
    return error;
  }

  /** {@link mark} for a fixed key that is gone (`the index`, `the revision counter`). */
  vanished(what: string): DataLostError {
    return this.mark(`${what} vanished ${VANISHED}`);
  }

  /** {@link mark} for the record of feature `name`. */
  recordVanished(name: string | undefined): DataLostError {
    return this.vanished(`the record of feature ${JSON.stringify(name)}`);
  }

  /**
   * Checks the sentinel read alongside other keys: throws (and records) DataLostError
   * when it vanished, or when it names another incarnation that nobody restored (the
   * data was re-created empty: adopting it would turn every feature off). A restored
   * incarnation is adopted.
   */
  check(item: Item | undefined): void {
    if (!item) {
      throw this.mark(
        'the sentinel vanished: memcached restarted, was flushed or evicted the data',
      );
    }
    const sentinel = decodeSentinel(item.value, this.sentinelKey);
    if (this.generation === undefined || sentinel.id === this.generation) {
      this.generation = sentinel.id;
      return;
    }
    if (sentinel.restoredAt !== undefined) {
      // Another process restored the data after the loss: adopt it.
      this.generation = sentinel.id;
      return;
    }
    throw this.mark(
      'the data vanished and was re-created empty by another process (new sentinel); call restore() to bring features back',
    );
  }

  /** The incarnation found (or created) on connect. */
  start(id: string): void {
    this.generation = id;
  }

  /** A snapshot read everything back: the loss, if any, is over. */
  resolved(): void {
    this.lost = undefined;
  }

  /** A restore succeeded on incarnation `id`: adopted, and the loss is over. */
  restored(id: string): void {
    this.generation = id;
    this.lost = undefined;
  }
}
