import { randomBytes } from 'node:crypto';
import { CorruptDataError, ValidationError } from '@rollout/core';
import { STORE_NAME } from './binary-protocol.js';

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

/** The index as stored (JSON). An array, never an object keyed by name: `__proto__` stays data. */
interface StoredIndex {
  format: 1;
  features: { n: string; v: number; t: string; p: number; b: number }[];
}

/** The sentinel as stored (JSON), written once when a store namespace is initialized. */
export interface Sentinel {
  format: 1;
  /** Random id of this incarnation of the data; a new id means the data was re-created. */
  id: string;
  createdAt: string;
  /** Set by `restore()`: clients that lost their data adopt a restored incarnation. */
  restoredAt?: string;
}

/** The fixed key names of a store namespace. */
export class Keys {
  readonly sentinel: string;
  readonly revision: string;
  readonly index: string;

  constructor(readonly prefix: string) {
    this.sentinel = `${prefix}sentinel`;
    this.revision = `${prefix}revision`;
    this.index = `${prefix}index`;
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

/** Encodes the index. */
export function encodeIndex(entries: Iterable<IndexEntry>): Buffer {
  const stored: StoredIndex = { format: 1, features: [] };
  for (const e of entries)
    stored.features.push({ n: e.name, v: e.version, t: e.token, p: e.parts, b: e.bytes });
  return Buffer.from(JSON.stringify(stored), 'utf8');
}

/** Decodes the index; CorruptDataError when it is not one. */
export function decodeIndex(value: Buffer, key: string): Map<string, IndexEntry> {
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, key, 'the index is not JSON', { cause: error });
  }
  const stored = raw as Partial<StoredIndex> | null;
  if (
    typeof stored !== 'object' ||
    stored === null ||
    stored.format !== 1 ||
    !Array.isArray(stored.features)
  ) {
    throw new CorruptDataError(STORE_NAME, key, 'not a rollout index (format 1)');
  }
  const out = new Map<string, IndexEntry>();
  for (const f of stored.features) {
    if (
      typeof f !== 'object' ||
      f === null ||
      typeof f.n !== 'string' ||
      !Number.isSafeInteger(f.v) ||
      typeof f.t !== 'string' ||
      !/^[A-Za-z0-9_-]+$/.test(f.t) ||
      !Number.isSafeInteger(f.p) ||
      f.p < 1 ||
      !Number.isSafeInteger(f.b)
    ) {
      throw new CorruptDataError(STORE_NAME, key, 'an index entry has the wrong shape');
    }
    out.set(f.n, { name: f.n, version: f.v, token: f.t, parts: f.p, bytes: f.b });
  }
  return out;
}

/** Encodes a sentinel. */
export function encodeSentinel(sentinel: Sentinel): Buffer {
  return Buffer.from(JSON.stringify(sentinel), 'utf8');
}

/** Decodes the sentinel; CorruptDataError when it is not one. */
export function decodeSentinel(value: Buffer, key: string): Sentinel {
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, key, 'the sentinel is not JSON', { cause: error });
  }
  const s = raw as Partial<Sentinel> | null;
  if (typeof s !== 'object' || s === null || s.format !== 1 || typeof s.id !== 'string') {
    throw new CorruptDataError(STORE_NAME, key, 'not a rollout sentinel (format 1)');
  }
  return {
    format: 1,
    id: s.id,
    createdAt: String(s.createdAt),
    ...(typeof s.restoredAt === 'string' ? { restoredAt: s.restoredAt } : {}),
  };
}

/** Splits `bytes` into chunks of at most `size` bytes (at least one chunk). */
export function split(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}
