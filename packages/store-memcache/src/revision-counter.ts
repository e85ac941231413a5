import type { Item, Memcache } from './binary-protocol.js';
import { decodeCounter, encodeCounter } from './codec.js';
import type { DataLoss } from './data-loss.js';
import type { Keys } from './layout.js';

/**
 * The `revision` counter: bumped after every write so pollers learn that something
 * changed. Owns the highest revision this store has seen (a restore re-creates the
 * counter from it, so revisions never go back) and a bump still owed after a failure.
 */
export class RevisionCounter {
  private highest = 0;
  /** A write was applied but bumping the revision failed: bump on the next chance. */
  private pendingBump = false;

  constructor(
    private readonly mc: Memcache,
    private readonly keys: Keys,
    private readonly expires: number,
    private readonly loss: DataLoss,
  ) {}

  /** The highest revision this store has seen. */
  get last(): number {
    return this.highest;
  }

  /** Decodes the counter read alongside other keys; DataLostError when it vanished. */
  parse(item: Item | undefined): number {
    if (!item) throw this.loss.vanished('the revision counter');
    const revision = decodeCounter(item.value, this.keys.revision);
    this.highest = Math.max(this.highest, revision);
    return revision;
  }

  /** Creates the counter at `revision` unless it exists (`add` never overwrites a live one). */
  async create(revision: number): Promise<void> {
    await this.mc.add(this.keys.revision, encodeCounter(revision), this.expires);
  }

  /**
   * Bumps the counter. A write is applied once the index is swapped; a failure to bump
   * is not a failed write (other clients see it on the next bump), so it is owed and
   * retried later ({@link settle}) rather than thrown. A vanished counter is a data loss.
   */
  async bump(): Promise<void> {
    try {
      const value = await this.mc.increment(this.keys.revision);
      if (value === undefined) {
        this.loss.vanished('the revision counter');
        return;
      }
      this.pendingBump = false;
      this.highest = Math.max(this.highest, value);
    } catch {
      this.pendingBump = true;
    }
  }

  /** Makes the bump still owed by an earlier write, if any. */
  async settle(): Promise<void> {
    if (this.pendingBump) await this.bump();
  }
}
