import {
  CorruptDataError,
  FEATURE_CONTENT_FIELDS,
  type Feature,
  parseFeature,
} from '@rollout/core';
import { JsonSyntaxError, lineColumn, type ParsedJson, parseJson } from './json-parse.js';

/** The value of the file's `format` field; another value is refused (never overwritten). */
export const FILE_FORMAT = 'rollout/v1';

/** The store name used in errors. */
export const STORE_NAME = 'file';

/** The parsed content of a flags file. Treat it as immutable: it is shared through a cache. */
export interface FileDocument {
  /** False when the file does not exist (an empty store at revision 0). */
  readonly exists: boolean;
  /** The file's `revision`. */
  readonly revision: number;
  /** Every feature by name; a Map, so names such as `__proto__` are plain keys. */
  readonly features: ReadonlyMap<string, Feature>;
}

/** The document of a missing file. */
export const EMPTY_DOCUMENT: FileDocument = Object.freeze({
  exists: false,
  revision: 0,
  features: new Map<string, Feature>(),
});

// The order fields are written in. `name` is left out: the key under `features` is the name.
const FIELD_ORDER = [
  ...FEATURE_CONTENT_FIELDS,
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof Feature)[];

const TOP_LEVEL_KEYS = new Set(['format', 'revision', 'features']);

function isObject(value: ParsedJson | undefined): value is { [key: string]: ParsedJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and validates the text of a flags file. Every feature goes through
 * core's `parseFeature`. Throws `CorruptDataError` whose `location` is
 * `<path>:<line>:<column>` of the JSON error or of the offending value.
 */
export function parseDocument(text: string, path: string): FileDocument {
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
  const corrupt = (at: object | undefined, problem: string, cause?: unknown): never => {
    const offset = at === undefined ? 0 : (offsets.get(at) ?? 0);
    throw new CorruptDataError(STORE_NAME, `${path}:${lineColumn(text, offset)}`, problem, {
      cause,
    });
  };

  if (!isObject(value)) {
    return corrupt(
      typeof value === 'object' && value !== null ? value : undefined,
      `the file must hold an object { "format": "${FILE_FORMAT}", "revision": n, "features": {...} }`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      corrupt(
        value,
        `unknown top-level field ${JSON.stringify(key)} (known: format, revision, features)`,
      );
    }
  }
  if (value.format !== FILE_FORMAT) {
    corrupt(
      value,
      `"format" is ${JSON.stringify(value.format ?? null)}; this store reads "${FILE_FORMAT}"`,
    );
  }
  const revision = value.revision ?? 0;
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    corrupt(value, `"revision" must be a non-negative integer, not ${JSON.stringify(revision)}`);
  }
  const rawFeatures = value.features ?? Object.create(null);
  if (!isObject(rawFeatures)) {
    return corrupt(value, '"features" must be an object mapping each feature name to its record');
  }

  const features = new Map<string, Feature>();
  for (const name of Object.keys(rawFeatures)) {
    const record = rawFeatures[name];
    if (!isObject(record)) {
      corrupt(
        typeof record === 'object' && record !== null ? record : rawFeatures,
        `feature ${JSON.stringify(name)} must be an object`,
      );
      continue;
    }
    if (record.name !== undefined && record.name !== name) {
      corrupt(
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
      return corrupt(record, `feature ${JSON.stringify(name)}: ${message}`, error);
    }
    // A record written by hand may leave `version` out; it exists, so it counts as
    // version 1 (version 0 means "absent" to compare-and-set).
    if (feature.version === 0) feature.version = 1;
    features.set(name, feature);
  }
  return { exists: true, revision: revision as number, features };
}

/** The record written for one feature: fixed field order, no `name`. */
function recordOf(feature: Feature): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) record[field] = feature[field];
  return record;
}

/** Sorts by UTF-16 code units, like `Array.prototype.sort` on strings: locale-independent. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Serializes a document in the stable layout: fixed top-level order, features
 * sorted by name, fields in a fixed order, 2-space indentation, trailing newline.
 * The same content always gives the same bytes, so the file diffs well in git.
 */
export function serializeDocument(
  revision: number,
  features: ReadonlyMap<string, Feature>,
): string {
  const names = [...features.keys()].sort(compareNames);
  const head = `{\n  "format": ${JSON.stringify(FILE_FORMAT)},\n  "revision": ${revision},\n  "features": `;
  if (names.length === 0) return `${head}{}\n}\n`;
  // Written by hand rather than one JSON.stringify of the whole: a JS object would
  // put integer-like names ("10", "9") first, breaking the sort order.
  const entries = names.map((name) => {
    const feature = features.get(name) as Feature;
    const body = JSON.stringify(recordOf(feature), null, 2).replace(/\n/g, '\n    ');
    return `    ${JSON.stringify(name)}: ${body}`;
  });
  return `${head}{\n${entries.join(',\n')}\n  }\n}\n`;
}
