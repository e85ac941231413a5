import type { Feature } from '@rollout/core';
import { decodeFeature, encodeFeature, isObject, readJson } from './codec.js';

/** The value of the file's `format` field; another value is refused (never overwritten). */
export const FILE_FORMAT = 'rollout/v1';

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

/** Where the inter-process lock of the flags file at `path` lives: next to it. */
export function lockPathFor(path: string): string {
  return `${path}.lock`;
}

const TOP_LEVEL_KEYS = new Set(['format', 'revision', 'features']);

/**
 * Parses and validates the text of a flags file. Every feature goes through
 * core's `parseFeature`. Throws `CorruptDataError` whose `location` is
 * `<path>:<line>:<column>` of the JSON error or of the offending value.
 */
export function parseDocument(text: string, path: string): FileDocument {
  const json = readJson(text, path);
  const { value } = json;
  if (!isObject(value)) {
    return json.corrupt(
      typeof value === 'object' && value !== null ? value : undefined,
      `the file must hold an object { "format": "${FILE_FORMAT}", "revision": n, "features": {...} }`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      json.corrupt(
        value,
        `unknown top-level field ${JSON.stringify(key)} (known: format, revision, features)`,
      );
    }
  }
  if (value.format !== FILE_FORMAT) {
    json.corrupt(
      value,
      `"format" is ${JSON.stringify(value.format ?? null)}; this store reads "${FILE_FORMAT}"`,
    );
  }
  const revision = value.revision ?? 0;
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    json.corrupt(
      value,
      `"revision" must be a non-negative integer, not ${JSON.stringify(revision)}`,
    );
  }
  const rawFeatures = value.features ?? Object.create(null);
  if (!isObject(rawFeatures)) {
    return json.corrupt(
      value,
      '"features" must be an object mapping each feature name to its record',
    );
  }
  const features = new Map<string, Feature>();
  for (const name of Object.keys(rawFeatures)) {
    features.set(name, decodeFeature(name, rawFeatures[name], rawFeatures, json));
  }
  return { exists: true, revision: revision as number, features };
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
    const body = JSON.stringify(encodeFeature(feature), null, 2).replace(/\n/g, '\n    ');
    return `    ${JSON.stringify(name)}: ${body}`;
  });
  return `${head}{\n${entries.join(',\n')}\n  }\n}\n`;
}
