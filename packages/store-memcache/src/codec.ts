import { CorruptDataError, type Feature, parseFeature } from '@rollout/core';
import { STORE_NAME } from './errors.js';
import type { IndexEntry, Sentinel } from './layout.js';

/** The index as stored (JSON). An array, never an object keyed by name: `__proto__` stays data. */
interface StoredIndex {
  format: 1;
  features: { n: string; v: number; t: string; p: number; b: number }[];
}

/** Parses the JSON stored under `key`; CorruptDataError naming `what` when it is not JSON. */
function parseJson(value: Buffer, key: string, what: string): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, key, `${what} is not JSON`, { cause: error });
  }
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
  const stored = parseJson(value, key, 'the index') as Partial<StoredIndex> | null;
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
  const s = parseJson(value, key, 'the sentinel') as Partial<Sentinel> | null;
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

/** Encodes the revision counter (memcached counters are decimal ASCII). */
export function encodeCounter(value: number): Buffer {
  return Buffer.from(String(value));
}

/** Decodes the revision counter; CorruptDataError when it is not a non-negative integer. */
export function decodeCounter(value: Buffer, key: string): number {
  const text = value.toString('ascii').trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new CorruptDataError(
      STORE_NAME,
      key,
      `not a counter: ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return n;
}

/** Encodes a feature record at `version` (its chunks are split from these bytes). */
export function encodeRecord(feature: Feature, version: number): Buffer {
  return Buffer.from(JSON.stringify({ ...feature, version }), 'utf8');
}

/**
 * Decodes a record read back whole from its chunks. CorruptDataError, at `location`
 * (its first chunk's key), when its length, its content or its name and version do
 * not match `entry`: a chunk from another record, or one half-written.
 */
export function decodeRecord(bytes: Buffer, entry: IndexEntry, location: string): Feature {
  if (bytes.length !== entry.bytes) {
    throw new CorruptDataError(
      STORE_NAME,
      location,
      `record is ${bytes.length} bytes, the index says ${entry.bytes}`,
    );
  }
  let feature: Feature;
  try {
    feature = parseFeature(JSON.parse(bytes.toString('utf8')));
  } catch (error) {
    throw new CorruptDataError(
      STORE_NAME,
      location,
      `not a feature record: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (feature.name !== entry.name || feature.version !== entry.version) {
    throw new CorruptDataError(STORE_NAME, location, 'the record does not match its index entry');
  }
  return feature;
}
