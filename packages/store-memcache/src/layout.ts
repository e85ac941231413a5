/**
 * Where a store's data lives in memcached, all under the key prefix:
 *
 * - `sentinel`: written once when the namespace is initialized (see {@link Sentinel});
 * - `revision`: a counter, bumped after every write;
 * - `index:<s>`, s in 0..{@link INDEX_SHARDS}-1: the name, version and record token
 *   (see {@link IndexEntry}) of every feature whose name hashes to shard s
 *   ({@link shardOf}); a write compares-and-sets one shard, so its cost does not grow
 *   with the number of features stored;
 * - `record:<token>:<n>`: chunk n of a feature's JSON. A fresh random token per write,
 *   so records are immutable and feature names never reach a key; the record a write
 *   replaces is deleted once the index no longer names it.
 *
 * Layout 1 (releases before the sharded index) kept every entry in one `index` item;
 * it is migrated on connect (see `layout-migration.ts`), and `index` is left holding a
 * marker that processes still running the old release refuse as corrupt data.
 */
import { randomBytes } from 'node:crypto';
import { ValidationError } from '@rollout/core';

/**
 * One feature in the index. The record itself lives under immutable keys named by
 * `token` (random, new for every write), in `parts` chunks of at most the chunk size.
 * Feature names never appear in keys: they are data inside the index and the record.
 */
export interface IndexEntry {
  /** The feature name. */
  readonly name: string;
  /** The feature's stored version. */
  readonly version: number;
  /** Random token naming the record's chunk keys. */
  readonly token: string;
  /** Number of chunks. */
  readonly parts: number;
  /** Total record length in bytes (checked on read: a missing or foreign chunk is detected). */
  readonly bytes: number;
}

/**
 * The sentinel, written once when a store namespace is initialized: its id names this
 * incarnation of the data, so a namespace re-created after a loss is told apart.
 */
export interface Sentinel {
  /** 1: the single `index` item (migrated on connect); 2: the index in {@link INDEX_SHARDS} shards. */
  format: 1 | 2;
  /** Format 2: the number of index shards ({@link INDEX_SHARDS}). */
  shards?: number;
  /** Random id of this incarnation of the data; a new id means the data was re-created. */
  id: string;
  createdAt: string;
  /** Set by `restore()`: clients that lost their data adopt a restored incarnation. */
  restoredAt?: string;
}

/** The layout this release writes (the sentinel's `format`). */
export const LAYOUT_FORMAT = 2;

/**
 * Shards of the index. Enough that a shard stays small (about 40 entries, 3.5 kB, at
 * 10,000 features: a write moves its shard twice, so a larger one made each write
 * measurably slower as features were added), few enough that a snapshot reads them
 * all in one burst (a few ms). Part of
 * the layout: every process of a namespace must agree on it (the sentinel records it).
 */
export const INDEX_SHARDS = 256;

/**
 * The index shard of feature `name`: 32-bit FNV-1a of its UTF-8 bytes, modulo
 * `shards`. Fixed forever for a layout, so any process (or another language) finds it.
 */
export function shardOf(name: string, shards = INDEX_SHARDS): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The fixed key names of a store namespace. */
export class Keys {
  readonly sentinel: string;
  readonly revision: string;
  /** The single index of layout 1; a marker after migration. */
  readonly legacyIndex: string;

  constructor(readonly prefix: string) {
    this.sentinel = `${prefix}sentinel`;
    this.revision = `${prefix}revision`;
    this.legacyIndex = `${prefix}index`;
  }

  /** Key of index shard `shard`. */
  shard(shard: number): string {
    return `${this.prefix}index:${shard}`;
  }

  /** Key of chunk `part` of the record written with `token`. */
  chunk(token: string, part: number): string {
    return `${this.prefix}record:${token}:${part}`;
  }
}

/** Longest prefix accepted, so every key stays far below memcached's 250-byte key limit. */
export const MAX_PREFIX_LENGTH = 100;

/**
 * Validates a key prefix: 1 to 100 printable ASCII characters without spaces
 * (memcached keys cannot hold spaces or control characters).
 */
export function validatePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > MAX_PREFIX_LENGTH) {
    throw new ValidationError(
      'prefix',
      prefix,
      `must be a string of 1 to ${MAX_PREFIX_LENGTH} characters`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(prefix)) {
    throw new ValidationError(
      'prefix',
      prefix,
      'memcache keys allow printable ASCII without spaces only',
    );
  }
  return prefix;
}

/** A fresh random token: 96 bits, base64url, so collisions are not a practical concern. */
export function newToken(): string {
  return randomBytes(12).toString('base64url');
}
