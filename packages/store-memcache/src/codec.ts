import { CorruptDataError, type Feature, parseFeature } from '@rollout/core';
import { STORE_NAME } from './errors.js';
import { INDEX_SHARDS, type IndexEntry, type Sentinel } from './layout.js';

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

/**
 * What layout 1's single `index` holds once migrated: a format old releases refuse
 * (so they stop writing), with the entries while the migration runs (so another
 * process can finish it) and without them afterwards.
 */
interface MovedIndex {
  format: 'moved';
  layout: 2;
  /** When the migration started (epoch ms): a migration this old was abandoned. */
  movedAt?: number;
  features?: StoredIndex['features'];
}

function storedEntries(entries: Iterable<IndexEntry>): StoredIndex['features'] {
  const out: StoredIndex['features'] = [];
  for (const e of entries)
    out.push({ n: e.name, v: e.version, t: e.token, p: e.parts, b: e.bytes });
  return out;
}

/**
 * Each entry's JSON, kept per entry object (entries are immutable): a write re-encodes
 * its whole shard, and this makes that a join of strings already made, not a fresh
 * JSON of every entry.
 */
const entryJson = new WeakMap<IndexEntry, string>();

/** Encodes an index shard (the same format as layout 1's single index, `StoredIndex`). */
export function encodeIndex(entries: Iterable<IndexEntry>): Buffer {
  const parts: string[] = [];
  for (const e of entries) {
    let json = entryJson.get(e);
    if (json === undefined) {
      json = JSON.stringify({ n: e.name, v: e.version, t: e.token, p: e.parts, b: e.bytes });
      entryJson.set(e, json);
    }
    parts.push(json);
  }
  return Buffer.from(`{"format":1,"features":[${parts.join(',')}]}`, 'utf8');
}

/** Decodes an index shard (or layout 1's index); CorruptDataError when it is not one. */
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
  return decodeEntries(stored.features, key);
}

/** Encodes the marker left in layout 1's `index`, with the entries being migrated or without. */
export function encodeMovedIndex(entries?: Iterable<IndexEntry>, movedAt = Date.now()): Buffer {
  const moved: MovedIndex = { format: 'moved', layout: 2 };
  if (entries) {
    moved.movedAt = movedAt;
    moved.features = storedEntries(entries);
  }
  return Buffer.from(JSON.stringify(moved), 'utf8');
}

/**
 * Decodes layout 1's `index`: its entries and whether it is already the moved marker
 * (entries undefined once the migration finished). CorruptDataError otherwise.
 */
export function decodeLegacyIndex(
  value: Buffer,
  key: string,
): { moved: boolean; movedAt: number; entries: Map<string, IndexEntry> | undefined } {
  const stored = parseJson(value, key, 'the index') as Partial<MovedIndex> | null;
  if (typeof stored === 'object' && stored !== null && stored.format === 'moved') {
    const entries = Array.isArray(stored.features)
      ? decodeEntries(stored.features, key)
      : undefined;
    return { moved: true, movedAt: Number(stored.movedAt ?? 0), entries };
  }
  return { moved: false, movedAt: 0, entries: decodeIndex(value, key) };
}

function decodeEntries(features: unknown[], key: string): Map<string, IndexEntry> {
  const out = new Map<string, IndexEntry>();
  for (const item of features) {
    const f = item as Partial<StoredIndex['features'][number]> | null;
    if (
      typeof f !== 'object' ||
      f === null ||
      typeof f.n !== 'string' ||
      !Number.isSafeInteger(f.v) ||
      typeof f.t !== 'string' ||
      !/^[A-Za-z0-9_-]+$/.test(f.t) ||
      !Number.isSafeInteger(f.p) ||
      (f.p as number) < 1 ||
      !Number.isSafeInteger(f.b)
    ) {
      throw new CorruptDataError(STORE_NAME, key, 'an index entry has the wrong shape');
    }
    out.set(f.n, {
      name: f.n,
      version: f.v as number,
      token: f.t,
      parts: f.p as number,
      bytes: f.b as number,
    });
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
  if (
    typeof s !== 'object' ||
    s === null ||
    (s.format !== 1 && s.format !== 2) ||
    typeof s.id !== 'string'
  ) {
    throw new CorruptDataError(STORE_NAME, key, 'not a rollout sentinel (format 1 or 2)');
  }
  if (s.format === 2 && s.shards !== INDEX_SHARDS) {
    throw new CorruptDataError(
      STORE_NAME,
      key,
      `the index has ${String(s.shards)} shards; this release reads ${INDEX_SHARDS}`,
    );
  }
  return {
    format: s.format,
    ...(s.format === 2 ? { shards: INDEX_SHARDS } : {}),
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
