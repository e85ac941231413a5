import {
  CorruptDataError,
  type Feature,
  parseFeature,
  RolloutError,
  type StoreChange,
} from '@rollout/core';
import { STORE_NAME } from './errors.js';
import type { KeyLayout } from './layout.js';

/**
 * The record `put` stores, validated before anything reaches Redis (unknown fields
 * dropped), with its next version; and its JSON for the `features` hash.
 */
export function encodeFeature(
  feature: Feature,
  expectedVersion: number,
): { record: Feature; json: string } {
  const record = parseFeature({ ...feature, version: expectedVersion + 1 });
  return { record, json: JSON.stringify(record) };
}

/**
 * A feature read from field `name` of the `features` hash. Throws CorruptDataError
 * naming the key and field when it is not valid JSON, not a valid feature, or a
 * record of another name.
 */
export function decodeFeature(keys: KeyLayout, name: string, json: string): Feature {
  const location = `${keys.features} field ${JSON.stringify(name)}`;
  let feature: Feature;
  try {
    feature = parseFeature(JSON.parse(json));
  } catch (error) {
    const problem =
      error instanceof RolloutError || error instanceof SyntaxError ? error.message : String(error);
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

/** The features of an HGETALL reply (`[name1, json1, name2, json2, ...]`), each decoded. */
export function decodeFeatures(keys: KeyLayout, flat: readonly string[]): Feature[] {
  const features: Feature[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    features.push(decodeFeature(keys, flat[i] as string, flat[i + 1] as string));
  }
  return features;
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
 * A pub/sub message, `{"revision":N,"name":"..."}` as the scripts publish it; undefined
 * for anything else (not ours, or damaged), after which only a resync is safe.
 */
export function decodeChange(message: string): StoreChange | undefined {
  let change: unknown;
  try {
    change = JSON.parse(message);
  } catch {
    return undefined;
  }
  const record = change as { revision?: unknown; name?: unknown } | null;
  if (
    typeof record === 'object' &&
    record !== null &&
    typeof record.revision === 'number' &&
    Number.isSafeInteger(record.revision) &&
    typeof record.name === 'string'
  ) {
    return { revision: record.revision, name: record.name };
  }
  return undefined;
}
