import { VersionConflictError } from '@rollout/core';
import { jitteredBackoff, sleep } from '@rollout/core/store';
import type { Cas, Item, Memcache } from './binary-protocol.js';
import { decodeIndex, encodeIndex } from './codec.js';
import type { DataLoss } from './data-loss.js';
import { indexTooLarge, STORE_NAME, Status } from './errors.js';
import type { IndexEntry, Keys } from './layout.js';

/** Attempts of the index compare-and-set while other features change concurrently. */
export const INDEX_ATTEMPTS = 200;

/** The index as read: the item (for its CAS token) and its entries by feature name. */
export interface IndexRead {
  readonly item: Item;
  readonly entries: Map<string, IndexEntry>;
}

/**
 * The `index` item: every feature's name, version and record token, in one memcached
 * item. Swapping it with memcached CAS is what makes writes a true compare-and-set
 * across processes; a record becomes current only when the index names it.
 */
export class IndexItem {
  constructor(
    private readonly mc: Memcache,
    private readonly keys: Keys,
    private readonly expires: number,
    private readonly itemBytes: number,
    private readonly loss: DataLoss,
  ) {}

  /** Reads the index; DataLostError when it vanished. */
  async read(): Promise<IndexRead> {
    return this.decode(await this.mc.get(this.keys.index));
  }

  /** Reads the index; undefined when it vanished (the caller re-creates it, nothing is reported). */
  async tryRead(): Promise<IndexRead | undefined> {
    const item = await this.mc.get(this.keys.index);
    return item && { item, entries: decodeIndex(item.value, this.keys.index) };
  }

  /** Reads the index and checks the sentinel alongside (one round trip). */
  async readChecked(): Promise<IndexRead> {
    const [sentinel, item] = await Promise.all([
      this.mc.get(this.keys.sentinel),
      this.mc.get(this.keys.index),
    ]);
    this.loss.check(sentinel);
    return this.decode(item);
  }

  /**
   * Whether the index exists, without fetching it (a touch). With an expiration, a
   * touch on every poll would keep the index alive alone, so it is not checked then:
   * it expires with the rest of the data, which the sentinel check reports.
   */
  async exists(): Promise<boolean> {
    return this.expires === 0 ? this.mc.touch(this.keys.index, 0) : true;
  }

  /** Whether a writer swapped the index since `before` was read. */
  async changedSince(before: Item): Promise<boolean> {
    const now = await this.mc.get(this.keys.index);
    return now !== undefined && !now.cas.equals(before.cas);
  }

  /** Creates an empty index unless one exists (`add` never overwrites a live one). */
  async create(): Promise<void> {
    await this.mc.add(this.keys.index, encodeIndex([]), this.expires);
  }

  /**
   * Writes `entries` as the index if it still has the CAS token `cas`. Resolves to the
   * status: OK, KEY_EXISTS (another writer swapped it first), KEY_NOT_FOUND (vanished).
   * StoreError, before anything is written, when the index would outgrow one item.
   */
  async swap(entries: Map<string, IndexEntry>, cas: Cas): Promise<number> {
    const bytes = encodeIndex(entries.values());
    if (bytes.length > this.itemBytes) {
      throw indexTooLarge(entries.size, bytes.length, this.itemBytes);
    }
    return this.mc.set(this.keys.index, bytes, this.expires, cas);
  }

  /**
   * Compare-and-set of the index: reads it, applies `change` (which may throw a
   * VersionConflictError, or return undefined for "nothing to do"), and writes it
   * only if nobody wrote the index in between; otherwise re-reads and decides again.
   * Resolves true when it wrote.
   */
  async update(
    name: string,
    change: (index: Map<string, IndexEntry>) => Map<string, IndexEntry> | undefined,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      const { item, entries } = await this.readChecked();
      const next = change(entries);
      if (next === undefined) return false;
      const status = await this.swap(next, item.cas);
      if (status === Status.OK) return true;
      if (status === Status.KEY_NOT_FOUND)
        throw this.loss.mark('the index vanished during a write');
      // KEY_EXISTS: another feature's write landed first. Jitter so contenders spread out.
      await sleep(jitteredBackoff(attempt, 1, 50));
    }
    throw new VersionConflictError(
      name,
      `[rollout] [${STORE_NAME}] gave up writing ${JSON.stringify(name)}: the index kept changing (${INDEX_ATTEMPTS} attempts)`,
    );
  }

  private decode(item: Item | undefined): IndexRead {
    if (!item) throw this.loss.vanished('the index');
    return { item, entries: decodeIndex(item.value, this.keys.index) };
  }
}
