import { VersionConflictError } from '@rollout/core';
import { jitteredBackoff, sleep } from '@rollout/core/store';
import type { Cas, Item, Memcache } from './binary-protocol.js';
import { decodeIndex, encodeIndex } from './codec.js';
import type { DataLoss } from './data-loss.js';
import { indexTooLarge, STORE_NAME, Status } from './errors.js';
import { INDEX_SHARDS, type IndexEntry, type Keys, shardOf } from './layout.js';

/** Attempts of a shard's compare-and-set while other features of that shard change concurrently. */
export const INDEX_ATTEMPTS = 200;

/** Shards whose existence each revision poll checks (round robin), so a vanished one is noticed. */
const SHARDS_CHECKED_PER_POLL = 4;

/** One index shard as read: its number, the item (for its CAS token) and its entries by name. */
export interface ShardRead {
  readonly shard: number;
  readonly item: Item;
  readonly entries: Map<string, IndexEntry>;
}

/** The whole index as read: every shard, and their entries together. */
export interface IndexRead {
  readonly shards: readonly ShardRead[];
  readonly entries: Map<string, IndexEntry>;
}

/**
 * The index, in {@link INDEX_SHARDS} items (`index:<s>`): every feature's name, version
 * and record token, in the shard its name hashes to. Swapping a shard with memcached
 * CAS is what makes writes a true compare-and-set across processes; a record becomes
 * current only when its shard names it. A write touches one shard, so its cost stays
 * the same however many features are stored, and writes to features of different
 * shards never contend.
 */
export class IndexShards {
  private cursor = 0;
  /**
   * The last bytes seen of each shard and their entries: a shard read again unchanged
   * (the common case: this process wrote it last) is not parsed again, so a write costs
   * a byte comparison instead of decoding and validating every entry of its shard.
   */
  private readonly decoded = new Map<number, { bytes: Buffer; entries: Map<string, IndexEntry> }>();

  constructor(
    private readonly mc: Memcache,
    private readonly keys: Keys,
    private readonly expires: number,
    private readonly itemBytes: number,
    private readonly loss: DataLoss,
  ) {}

  /** The key of every shard. */
  allKeys(): string[] {
    return Array.from({ length: INDEX_SHARDS }, (_, s) => this.keys.shard(s));
  }

  /** Reads every shard at once; DataLostError when one vanished. */
  async readAll(): Promise<IndexRead> {
    const items = await Promise.all(this.allKeys().map((k) => this.mc.get(k)));
    const shards = items.map((item, shard) => this.decode(shard, item));
    const entries = new Map<string, IndexEntry>();
    for (const s of shards) for (const [name, e] of s.entries) entries.set(name, e);
    return { shards, entries };
  }

  /** Reads shard `shard`; undefined when it vanished (the caller re-creates it, nothing is reported). */
  async tryRead(shard: number): Promise<ShardRead | undefined> {
    const key = this.keys.shard(shard);
    const item = await this.mc.get(key);
    return item && this.decode(shard, item);
  }

  /** Reads the shard of feature `name` and checks the sentinel alongside (one round trip). */
  async readChecked(name: string): Promise<ShardRead> {
    const shard = shardOf(name);
    const [sentinel, item] = await Promise.all([
      this.mc.get(this.keys.sentinel),
      this.mc.get(this.keys.shard(shard)),
    ]);
    this.loss.check(sentinel);
    return this.decode(shard, item);
  }

  /**
   * Whether the next few shards exist (round robin), without fetching them (a touch).
   * With an expiration, a touch on every poll would keep the index alive alone, so it is
   * not checked then: it expires with the rest of the data, which the sentinel check reports.
   */
  async exists(): Promise<boolean> {
    if (this.expires !== 0) return true;
    const shards = Array.from(
      { length: SHARDS_CHECKED_PER_POLL },
      (_, i) => (this.cursor + i) % INDEX_SHARDS,
    );
    this.cursor = (this.cursor + SHARDS_CHECKED_PER_POLL) % INDEX_SHARDS;
    const found = await Promise.all(shards.map((s) => this.mc.touch(this.keys.shard(s), 0)));
    return found.every(Boolean);
  }

  /** Whether a writer swapped the shard since `before` was read. */
  async changedSince(before: ShardRead): Promise<boolean> {
    const now = await this.mc.get(this.keys.shard(before.shard));
    return now !== undefined && !now.cas.equals(before.item.cas);
  }

  /** Creates every shard that does not exist, empty (`add` never overwrites a live one). */
  async create(): Promise<void> {
    await Promise.all(this.allKeys().map((k) => this.mc.add(k, encodeIndex([]), this.expires)));
  }

  /** Creates shard `shard`, empty, unless it exists. */
  async createShard(shard: number): Promise<void> {
    await this.mc.add(this.keys.shard(shard), encodeIndex([]), this.expires);
  }

  /**
   * Writes `entries` as shard `shard` if it still has the CAS token `cas`. Resolves to the
   * status: OK, KEY_EXISTS (another writer swapped it first), KEY_NOT_FOUND (vanished).
   * StoreError, before anything is written, when the shard would outgrow one item.
   */
  async swap(shard: number, entries: Map<string, IndexEntry>, cas: Cas): Promise<number> {
    const bytes = encodeIndex(entries.values());
    if (bytes.length > this.itemBytes) {
      throw indexTooLarge(entries.size, bytes.length, this.itemBytes);
    }
    const status = await this.mc.set(this.keys.shard(shard), bytes, this.expires, cas);
    if (status === Status.OK) this.decoded.set(shard, { bytes, entries: new Map(entries) });
    return status;
  }

  /**
   * Compare-and-set of the shard of feature `name`: reads it, applies `change` (which
   * may throw a VersionConflictError, or return undefined for "nothing to do"), and
   * writes it only if nobody wrote the shard in between; otherwise re-reads and decides
   * again. Resolves true when it wrote.
   */
  async update(
    name: string,
    change: (entries: Map<string, IndexEntry>) => Map<string, IndexEntry> | undefined,
    first?: ShardRead,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      // The caller's own read of the shard, if it has one, saves the first round trip.
      const read = attempt === 0 && first ? first : await this.readChecked(name);
      const { shard, item, entries } = read;
      const next = change(entries);
      if (next === undefined) return false;
      const status = await this.swap(shard, next, item.cas);
      if (status === Status.OK) return true;
      if (status === Status.KEY_NOT_FOUND)
        throw this.loss.mark(`index shard ${shard} vanished during a write`);
      // KEY_EXISTS: a write to another feature of this shard landed first. Jitter so contenders spread out.
      await sleep(jitteredBackoff(attempt, 1, 50));
    }
    throw new VersionConflictError(
      name,
      `[rollout] [${STORE_NAME}] gave up writing ${JSON.stringify(name)}: its index shard kept changing (${INDEX_ATTEMPTS} attempts)`,
    );
  }

  /** The shard read as `item`; DataLostError when it vanished. Entries are the caller's to change. */
  private decode(shard: number, item: Item | undefined): ShardRead {
    if (!item) throw this.loss.vanished(`index shard ${shard}`);
    const seen = this.decoded.get(shard);
    if (seen?.bytes.equals(item.value)) return { shard, item, entries: new Map(seen.entries) };
    const entries = decodeIndex(item.value, this.keys.shard(shard));
    // A copy: the client may reuse the buffer it read into.
    this.decoded.set(shard, { bytes: Buffer.from(item.value), entries: new Map(entries) });
    return { shard, item, entries };
  }
}
