import type { Feature } from '@rollout/core';
import type { Memcache } from './binary-protocol.js';
import { decodeRecord, encodeRecord } from './codec.js';
import { chunkWriteError } from './errors.js';
import { type IndexEntry, type Keys, newToken } from './layout.js';

/** Splits `bytes` into chunks of at most `size` bytes (at least one chunk). */
function split(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}

/**
 * Feature records, each stored as chunks of at most `itemBytes` under a fresh random
 * token per write (`record:<token>:<n>`), so a record never changes once written and
 * the index swap alone decides which one is current. Owns the cache of records by
 * token: tokens are never reused, so a cached record is valid as long as its token is
 * indexed, and a poll that finds nothing new reads no record again.
 */
export class ChunkedRecords {
  private readonly cache = new Map<string, Feature>();

  constructor(
    private readonly mc: Memcache,
    private readonly keys: Keys,
    private readonly expires: number,
    private readonly itemBytes: number,
  ) {}

  /** The keys of every chunk of `entry`'s record, in order. */
  chunkKeys(entry: IndexEntry): string[] {
    return Array.from({ length: entry.parts }, (_, i) => this.keys.chunk(entry.token, i));
  }

  /**
   * Writes `feature` at `version` under a fresh token and returns its index entry (not
   * yet indexed: nobody reads it until the index names it). On failure, the chunks
   * written are deleted and the error says whether `itemBytes` is above the server's limit.
   */
  async write(feature: Feature, version: number): Promise<IndexEntry> {
    const bytes = encodeRecord(feature, version);
    const chunks = split(bytes, this.itemBytes);
    const entry: IndexEntry = {
      name: feature.name,
      version,
      token: newToken(),
      parts: chunks.length,
      bytes: bytes.length,
    };
    const keys = this.chunkKeys(entry);
    try {
      await Promise.all(chunks.map((c, i) => this.mc.set(keys[i] as string, c, this.expires)));
    } catch (error) {
      void this.delete(entry);
      throw chunkWriteError(error, Math.min(bytes.length, this.itemBytes), this.itemBytes);
    }
    return entry;
  }

  /** Caches the record `entry` names (known to hold `feature`), so it is not read back. */
  remember(entry: IndexEntry, feature: Feature): void {
    this.cache.set(entry.token, feature);
  }

  /** The record `entry` names (from the cache when possible), or undefined when a chunk is missing. */
  async read(entry: IndexEntry): Promise<Feature | undefined> {
    const cached = this.cache.get(entry.token);
    if (cached) return cached;
    const keys = this.chunkKeys(entry);
    const parts = await Promise.all(keys.map((k) => this.mc.get(k)));
    const values: Buffer[] = [];
    for (const p of parts) {
      if (p === undefined) return undefined;
      values.push(p.value);
    }
    const feature = decodeRecord(Buffer.concat(values), entry, keys[0] as string);
    this.cache.set(entry.token, feature);
    return feature;
  }

  /**
   * Whether every chunk of a record exists, whatever the cache holds: a touch, which
   * fetches nothing and keeps the chunks warm in memcached's LRU. A record found
   * missing is dropped from the cache, so the next read reports the loss itself.
   */
  async exists(entry: IndexEntry): Promise<boolean> {
    const found = await Promise.all(
      this.chunkKeys(entry).map((k) => this.mc.touch(k, this.expires)),
    );
    if (found.every(Boolean)) return true;
    this.cache.delete(entry.token);
    return false;
  }

  /** Deletes a record that was never indexed (a lost compare-and-set). Best effort. */
  async delete(entry: IndexEntry): Promise<void> {
    await Promise.all(this.chunkKeys(entry).map((k) => this.mc.delete(k))).catch(() => undefined);
  }

  /**
   * A record no longer indexed: dropped from the cache and deleted, so no garbage is
   * left per version (kept around, replaced records filled memcached under load and
   * pushed live data out). A reader holding the previous shard that then misses the
   * record sees the shard changed and reads again. Best effort.
   */
  retire(entry: IndexEntry): Promise<void> {
    this.cache.delete(entry.token);
    return this.delete(entry);
  }

  /** Drops from the cache every record the index `entries` no longer names. */
  prune(entries: Map<string, IndexEntry>): void {
    const live = new Set<string>();
    for (const e of entries.values()) live.add(e.token);
    for (const token of this.cache.keys()) if (!live.has(token)) this.cache.delete(token);
  }
}
