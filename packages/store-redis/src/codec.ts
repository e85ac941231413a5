import {
  CorruptDataError,
  type Feature,
  parseFeature,
  RolloutError,
  type StoreChange,
} from '@rollout/core';
import { STORE_NAME } from './errors.js';
import { type KeyLayout, LIST_MARKER } from './layout.js';

/**
 * The record `put` stores, validated before anything reaches Redis (unknown fields
 * dropped), with its next version: its document for the `features` hash (lists marked
 * as living apart) and the JSON of its two id lists.
 */
export function encodeFeature(
  feature: Feature,
  expectedVersion: number,
): { record: Feature; document: string; users: string; excludedUsers: string } {
  const record = parseFeature({ ...feature, version: expectedVersion + 1 });
  return {
    record,
    document: encodeDocument(record),
    users: JSON.stringify(record.users),
    excludedUsers: JSON.stringify(record.excludedUsers),
  };
}

/** A record's document: its JSON with {@link LIST_MARKER} in place of the id lists. */
export function encodeDocument(feature: Feature): string {
  return JSON.stringify({ ...feature, users: LIST_MARKER, excludedUsers: LIST_MARKER });
}

/**
 * A feature read from field `name` of the `features` hash and its id lists (read in
 * the same step). Throws CorruptDataError naming the key and field when the document
 * is not valid JSON, not a document of this layout, not a valid feature, or a record
 * of another name.
 */
export function decodeStored(
  keys: KeyLayout,
  name: string,
  json: string,
  users: readonly string[],
  excludedUsers: readonly string[],
): Feature {
  const location = `${keys.features} field ${JSON.stringify(name)}`;
  let feature: Feature;
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    if (raw.users !== LIST_MARKER || raw.excludedUsers !== LIST_MARKER) {
      throw new Error(
        `the document holds its own id lists: written by a version of @rollout/store-redis older than layout ${JSON.stringify(LIST_MARKER)} (upgrade every process)`,
      );
    }
    feature = parseFeature({ ...raw, users, excludedUsers });
  } catch (error) {
    const problem =
      error instanceof RolloutError || error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(STORE_NAME, location, problem, { cause: error });
  }
  if (feature.name !== name) {
    throw new CorruptDataError(
      STORE_NAME,
      location,
      `the record is named ${JSON.stringify(feature.name)}`,
    );
  }
  return feature;
}

/**
 * The features of a snapshot: an HGETALL reply of the documents (`[name1, json1, ...]`)
 * and every member of the two id sets (`<name>\0<id>`), each feature decoded whole.
 */
export function decodeFeatures(
  keys: KeyLayout,
  flat: readonly string[],
  users: readonly string[],
  excludedUsers: readonly string[],
): Feature[] {
  const usersOf = byName(users);
  const excludedOf = byName(excludedUsers);
  const features: Feature[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] as string;
    features.push(
      decodeStored(
        keys,
        name,
        flat[i + 1] as string,
        usersOf.get(name) ?? [],
        excludedOf.get(name) ?? [],
      ),
    );
  }
  return features;
}

/** The ids of one feature's members (`<name>\0<id>`, all of that name), the name cut off. */
export function idsOf(name: string, members: readonly string[]): string[] {
  const cut = name.length + 1;
  return members.map((m) => m.slice(cut));
}

// Members `<name>\0<id>` grouped by name (names hold no \0: the first one ends the name).
function byName(members: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of members) {
    const at = m.indexOf('\0');
    const name = m.slice(0, at);
    const ids = out.get(name);
    if (ids) ids.push(m.slice(at + 1));
    else out.set(name, [m.slice(at + 1)]);
  }
  return out;
}

/** The revision key's value (missing: 0). Throws CorruptDataError unless a non-negative integer. */
export function decodeRevision(keys: KeyLayout, value: string | null): number {
  if (value === null) return 0;
  const revision = Number(value);
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new CorruptDataError(
      STORE_NAME,
      keys.revision,
      `not a revision: ${JSON.stringify(value)}`,
    );
  }
  return revision;
}

/**
 * A pub/sub message, `{"revision":N,"name":"...","version":V}` as the scripts publish
 * it (no version for a remove; none either from layout 1's scripts); undefined
 * for anything else (not ours, or damaged), after which only a resync is safe.
 */
export function decodeChange(message: string): StoreChange | undefined {
  let change: unknown;
  try {
    change = JSON.parse(message);
  } catch {
    return undefined;
  }
  const record = change as { revision?: unknown; name?: unknown; version?: unknown } | null;
  if (
    typeof record === 'object' &&
    record !== null &&
    typeof record.revision === 'number' &&
    Number.isSafeInteger(record.revision) &&
    typeof record.name === 'string'
  ) {
    const { revision, name, version } = record;
    return typeof version === 'number' && Number.isSafeInteger(version) && version > 0
      ? { revision, name, version }
      : { revision, name };
  }
  return undefined;
}
