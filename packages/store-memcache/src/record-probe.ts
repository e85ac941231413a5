import type { ChunkedRecords } from './chunked-record.js';
import type { DataLoss } from './data-loss.js';
import type { IndexEntry } from './layout.js';

/**
 * Records are cached by this store and so rarely read again: an evicted record
 * would go unnoticed until a new process starts. Each poll therefore checks that
 * one record of the last snapshot still exists (round robin), with a touch that
 * fetches nothing and keeps the record warm in memcached's LRU. Only done while the
 * revision equals the snapshot's, so the entry probed is still the current one.
 */
export class RecordProbe {
  /** Revision of the last snapshot, and its entries. */
  private revision = -1;
  private entries: IndexEntry[] = [];
  private cursor = 0;

  constructor(
    private readonly records: ChunkedRecords,
    private readonly loss: DataLoss,
    /** Whether the revision still is `revision` (read again): a write may have replaced the record probed. */
    private readonly stillAt: (revision: number) => Promise<boolean>,
  ) {}

  /** A snapshot at `revision` read `entries`: probe those from now on. */
  track(revision: number, entries: Iterable<IndexEntry>): void {
    this.revision = revision;
    this.entries = [...entries];
  }

  /** On a poll that read `revision`: checks the next record; DataLostError when it vanished. */
  async poll(revision: number): Promise<void> {
    if (revision !== this.revision || this.entries.length === 0) return;
    this.cursor = (this.cursor + 1) % this.entries.length;
    const entry = this.entries[this.cursor];
    if (!entry) return;
    if (await this.records.exists(entry)) return;
    // exists() forgot the cached copy, so the next snapshot reads (and reports) the loss itself.
    this.revision = -1;
    // A write deletes the record it replaced after bumping the revision: if the revision
    // moved since, the record was replaced, not lost (the next snapshot tells).
    if (!(await this.stillAt(revision))) return;
    throw this.loss.recordVanished(entry.name);
  }
}
