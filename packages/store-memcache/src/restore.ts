import { type Feature, parseFeature, StoreError } from '@rollout/core';
import { copyFeature, jitteredBackoff, sleep } from '@rollout/core/store';
import type { Memcache } from './binary-protocol.js';
import type { ChunkedRecords } from './chunked-record.js';
import { decodeSentinel, encodeSentinel } from './codec.js';
import type { DataLoss } from './data-loss.js';
import { STORE_NAME, Status } from './errors.js';
import { INDEX_ATTEMPTS, type IndexShards } from './index-shards.js';
import {
  INDEX_SHARDS,
  type IndexEntry,
  type Keys,
  LAYOUT_FORMAT,
  newToken,
  type Sentinel,
  shardOf,
} from './layout.js';
import { migrateLayout } from './layout-migration.js';
import type { RevisionCounter } from './revision-counter.js';

/** The parts of a store a restore reads and writes. */
export interface RestoreParts {
  readonly mc: Memcache;
  readonly keys: Keys;
  readonly expires: number;
  readonly loss: DataLoss;
  readonly counter: RevisionCounter;
  readonly index: IndexShards;
  readonly records: ChunkedRecords;
}

/**
 * Creating a namespace, and bringing its features back after memcached lost them.
 * Owns what the store last read (the latest version of every feature it knows), which
 * is what `restoreOnLoss` restores from.
 */
export class Restorer {
  private readonly known = new Map<string, Feature>();
  /** A full snapshot was taken: there is something to restore from. */
  private seenSnapshot = false;

  constructor(
    private readonly parts: RestoreParts,
    private readonly restoreOnLoss: boolean,
  ) {}

  /** A snapshot read `features`: they replace everything known. */
  rememberAll(features: readonly Feature[]): void {
    this.known.clear();
    for (const f of features) this.known.set(f.name, f);
    this.seenSnapshot = true;
  }

  /** `feature` was read or written. */
  remember(feature: Feature): void {
    this.known.set(feature.name, feature);
  }

  /** Feature `name` was found absent or removed. */
  forget(name: string): void {
    this.known.delete(name);
  }

  /**
   * Reads the sentinel, and initializes an empty namespace (sentinel, revision 0,
   * empty index) when there is none; a namespace of layout 1 is migrated first.
   */
  async open(): Promise<void> {
    const sentinel = await this.currentSentinel();
    this.parts.loss.start(sentinel ? sentinel.id : (await this.initialize(0)).id);
  }

  /** After a reported loss, restores from what this store last read (with `restoreOnLoss`). */
  async repairIfLost(): Promise<void> {
    if (this.parts.loss.reported && this.restoreOnLoss && this.seenSnapshot) {
      await this.restore([...this.known.values()]);
    }
  }

  /** See MemcacheStore.restore: merges `features` back in, marks the data restored. */
  async restore(features: readonly Feature[]): Promise<string[]> {
    const { mc, keys, expires, loss, counter, index } = this.parts;
    const wanted = new Map<string, Feature>();
    for (const f of features) {
      const parsed = parseFeature(copyFeature(f));
      parsed.version = Math.max(1, parsed.version);
      wanted.set(parsed.name, parsed);
    }
    let sentinel = (await this.currentSentinel()) ?? (await this.initialize(counter.last));
    // Any of them may be missing after an eviction; `add` never overwrites a live one.
    await counter.create(counter.last);
    await index.create();

    const byShard = new Map<number, Feature[]>();
    for (let s = 0; s < INDEX_SHARDS; s++) byShard.set(s, []);
    for (const f of wanted.values()) byShard.get(shardOf(f.name))?.push(f);
    const results = await Promise.all(
      [...byShard].map(([shard, features]) => this.restoreShard(shard, features)),
    );
    const restored = results.flatMap((r) => r.restored);
    const changed = results.some((r) => r.changed);
    if (changed) await counter.bump();
    // Mark the incarnation as restored (compare-and-set: never clobber a newer sentinel).
    const latest = await mc.get(keys.sentinel);
    if (latest) {
      const s = decodeSentinel(latest.value, keys.sentinel);
      const marked: Sentinel = { ...s, restoredAt: new Date().toISOString() };
      await mc.set(keys.sentinel, encodeSentinel(marked), expires, latest.cas);
      sentinel = s;
    }
    loss.restored(sentinel.id);
    return restored;
  }

  /** Restores the `wanted` features of one shard (see {@link restore}) by compare-and-set. */
  private async restoreShard(
    shard: number,
    wanted: Feature[],
  ): Promise<{ restored: string[]; changed: boolean }> {
    const { index, records } = this.parts;
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      const read = await index.tryRead(shard);
      if (!read) {
        await index.createShard(shard);
        continue;
      }
      const current = read.entries;
      const { next, written } = await this.merge(current, wanted);
      const restored = written.map((e) => e.name);
      const changed = restored.length > 0 || next.size !== current.size;
      if (!changed) return { restored, changed };
      const status = await index.swap(shard, next, read.item.cas);
      if (status === Status.OK) return { restored, changed };
      for (const e of written) void records.delete(e);
      await sleep(jitteredBackoff(attempt, 20, 20));
    }
    throw new StoreError(STORE_NAME, 'restore gave up: the index kept changing under it');
  }

  /**
   * A shard to write: entries of `current` whose record still exists, plus every
   * `wanted` feature that is missing, written now (at a version above any it had).
   */
  private async merge(
    current: Map<string, IndexEntry>,
    wanted: readonly Feature[],
  ): Promise<{ next: Map<string, IndexEntry>; written: IndexEntry[] }> {
    const { records } = this.parts;
    const next = new Map<string, IndexEntry>();
    const written: IndexEntry[] = [];
    const entries = [...current.values()];
    const exists = await Promise.all(entries.map((e) => records.exists(e)));
    entries.forEach((e, i) => {
      if (exists[i]) next.set(e.name, e);
    });
    for (const f of wanted) {
      if (next.has(f.name)) continue;
      const version = Math.max(f.version, (current.get(f.name)?.version ?? 0) + 1);
      const record = { ...f, version };
      const entry = await records.write(record, version);
      records.remember(entry, record);
      written.push(entry);
      next.set(f.name, entry);
    }
    return { next, written };
  }

  /** The sentinel, after migrating a namespace of layout 1; undefined when there is none. */
  private async currentSentinel(): Promise<Sentinel | undefined> {
    const sentinel = await this.readSentinel();
    if (sentinel === undefined || sentinel.format === LAYOUT_FORMAT) return sentinel;
    const { mc, keys, expires, index } = this.parts;
    return migrateLayout({ mc, keys, expires, index });
  }

  private async readSentinel(): Promise<Sentinel | undefined> {
    const { mc, keys } = this.parts;
    const item = await mc.get(keys.sentinel);
    return item ? decodeSentinel(item.value, keys.sentinel) : undefined;
  }

  /**
   * Creates an empty namespace. Everything is written with `add`, so concurrent
   * initializers (or live data) are never overwritten; the sentinel goes last, and
   * the one that lands is the one everybody adopts.
   */
  private async initialize(revision: number): Promise<Sentinel> {
    const { mc, keys, expires, counter, index } = this.parts;
    const fresh: Sentinel = {
      format: LAYOUT_FORMAT,
      shards: INDEX_SHARDS,
      id: newToken(),
      createdAt: new Date().toISOString(),
    };
    await counter.create(revision);
    await index.create();
    if (await mc.add(keys.sentinel, encodeSentinel(fresh), expires)) return fresh;
    const existing = await this.readSentinel();
    if (!existing) {
      throw new StoreError(
        STORE_NAME,
        'the sentinel could be neither created nor read (evicted at once?)',
      );
    }
    return existing;
  }
}
