import {
  CorruptDataError,
  FEATURE_CONTENT_FIELDS,
  type Feature,
  parseFeature,
} from '@rollout/core';
import { STORE_NAME } from './errors.js';
import { JsonSyntaxError, lineColumn, type ParsedJson, parseJson } from './json-parse.js';

/** A JSON object of the parsed file (null prototype: `__proto__` is a plain key). */
export type JsonObject = { [key: string]: ParsedJson };

/** The parsed text of a flags file, and how to report a bad value in it. */
export interface JsonText {
  readonly value: ParsedJson;
  /**
   * Throws CorruptDataError whose `location` is `<path>:<line>:<column>` where
   * the object or array `at` starts (the file's start when undefined).
   */
  corrupt(at: object | undefined, problem: string, cause?: unknown): never;
}

// The order fields are written in. `name` is left out: the key under `features` is the name.
const FIELD_ORDER = [
  ...FEATURE_CONTENT_FIELDS,
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof Feature)[];

/** True for a JSON object (not an array, not null). */
export function isObject(value: ParsedJson | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the text of the file at `path` as strict JSON. A syntax error is a
 * CorruptDataError at the line and column where it is.
 */
export function readJson(text: string, path: string): JsonText {
  let parsed: ReturnType<typeof parseJson>;
  try {
    parsed = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new CorruptDataError(
        STORE_NAME,
        `${path}:${lineColumn(text, error.offset)}`,
        `invalid JSON: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
  const { value, offsets } = parsed;
  return {
    value,
    corrupt(at, problem, cause) {
      // Computed only on failure: a line count over the whole text per record would be quadratic.
      const offset = at === undefined ? 0 : (offsets.get(at) ?? 0);
      throw new CorruptDataError(STORE_NAME, `${path}:${lineColumn(text, offset)}`, problem, {
        cause,
      });
    },
  };
}

/**
 * The feature stored under `name` in the `features` object `parent`, checked by
 * core's `parseFeature`. Throws CorruptDataError (through `json.corrupt`) naming
 * the feature and pointing at its record.
 */
export function decodeFeature(
  name: string,
  record: ParsedJson | undefined,
  parent: JsonObject,
  json: JsonText,
): Feature {
  if (!isObject(record)) {
    return json.corrupt(
      typeof record === 'object' && record !== null ? record : parent,
      `feature ${JSON.stringify(name)} must be an object`,
    );
  }
  if (record.name !== undefined && record.name !== name) {
    json.corrupt(
      record,
      `feature ${JSON.stringify(name)} has "name": ${JSON.stringify(record.name)}; the key is the name (leave "name" out)`,
    );
  }
  let feature: Feature;
  try {
    feature = parseFeature({ ...record, name });
  } catch (error) {
    const message =
      error instanceof Error ? error.message.replace(/^\[rollout\] /, '') : String(error);
    return json.corrupt(record, `feature ${JSON.stringify(name)}: ${message}`, error);
  }
  // A record written by hand may leave `version` out; it exists, so it counts as
  // version 1 (version 0 means "absent" to compare-and-set).
  if (feature.version === 0) feature.version = 1;
  return feature;
}

/** The record written for one feature: fixed field order, no `name`. */
export function encodeFeature(feature: Feature): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) record[field] = feature[field];
  return record;
}
