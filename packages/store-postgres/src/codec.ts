import {
  CorruptDataError,
  type Feature,
  parseFeature,
  type StoreSnapshot,
  ValidationError,
} from '@rollout/core';
import { STORE_NAME } from './errors.js';

// jsonb cannot hold U+0000 nor lone surrogates, which JSON.stringify writes as
// \u0000 and \udXXX escapes (well-formed pairs it writes as plain text). Matches an
// escape not itself escaped, i.e. preceded by an even number of backslashes.
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/;

/** A feature ready to write: validated (its version dropped) and its `document` text. */
export interface EncodedFeature {
  readonly feature: Feature;
  readonly document: string;
}

/**
 * Validates a feature given to `put` (ValidationError) and encodes it. The
 * returned feature is a fresh copy without a version; the caller sets the new one.
 */
export function encodeFeature(feature: Feature): EncodedFeature {
  if (typeof feature !== 'object' || feature === null) {
    throw new ValidationError('feature', feature, 'must be a feature object');
  }
  const { version: _ignored, ...fields } = feature;
  const clean = parseFeature(fields);
  return { feature: clean, document: encodeDocument(clean) };
}

/**
 * The JSON text stored in the `document` column: the feature without its version
 * (the `version` column is the truth). Throws ValidationError for text jsonb
 * cannot store, before anything reaches the server.
 */
function encodeDocument(feature: Feature): string {
  const { version: _version, ...document } = feature;
  const text = JSON.stringify(document);
  if (UNSTORABLE_ESCAPE.test(text)) {
    throw new ValidationError(
      'feature',
      feature.name,
      'contains U+0000 or a lone surrogate (in its description, data, rules or variant values), which PostgreSQL jsonb cannot store',
    );
  }
  return text;
}

/**
 * The JSON text of a document for the features row of an `apply` (lists empty, version
 * dropped), after the same check as {@link encodeFeature} on it and on the ids the
 * write adds: jsonb and text columns cannot store U+0000 nor lone surrogates.
 */
export function encodeApplyDocument(document: Feature, addedIds: Iterable<string>): string {
  const { users: _users, excludedUsers: _excluded, ...rest } = document;
  checkStorable(addedIds);
  return encodeDocument(rest as Feature);
}

/**
 * Throws ValidationError for an id or group name PostgreSQL cannot store as text: U+0000,
 * or a lone surrogate (which the driver would silently turn into U+FFFD, another id).
 */
export function checkStorable(values: Iterable<string>): void {
  for (const value of values) {
    if (UNSTORABLE_ESCAPE.test(JSON.stringify(value)))
      throw new ValidationError(
        'users',
        value,
        'contains U+0000 or a lone surrogate, which PostgreSQL cannot store',
      );
  }
}

/**
 * Rebuilds a validated feature from a row. The `name` and `version` columns win
 * over the document. A row that does not validate throws CorruptDataError naming
 * the table and the row.
 */
export function decodeRow(
  table: string,
  name: string,
  document: unknown,
  version: unknown,
): Feature {
  const location = `${table} row name=${JSON.stringify(name)}`;
  // bigint arrives as a string from node-postgres.
  const v = typeof version === 'string' ? Number(version) : version;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CorruptDataError(STORE_NAME, location, 'document is not a JSON object');
  }
  try {
    return parseFeature({ ...(document as Record<string, unknown>), name, version: v });
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(STORE_NAME, location, problem, { cause: error });
  }
}

/** The id list columns of a read (layout.ts `listColumns`): json arrays, null when empty. */
export interface ListColumns {
  users: unknown;
  excluded: unknown;
}

/**
 * The stored document with its lists put back from their columns, for {@link decodeRow}
 * (which validates, de-duplicates and sorts them). A document that is not an object is
 * returned as it is, for decodeRow to report.
 */
export function withListColumns(document: unknown, lists: ListColumns): unknown {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  return { ...document, users: lists.users ?? [], excludedUsers: lists.excluded ?? [] };
}

/** A row of the get statement. */
export interface FeatureRow extends ListColumns {
  document: unknown;
  version: string;
}

/** A row of the snapshot statement: a feature, or nulls when the table is empty. */
export interface SnapshotRow extends ListColumns {
  revision: string;
  name: string | null;
  document: unknown;
  version: string | null;
}

/** The features and revision of the snapshot statement's rows (CorruptDataError for a bad row). */
export function decodeSnapshot(table: string, rows: readonly SnapshotRow[]): StoreSnapshot {
  const features: Feature[] = [];
  for (const row of rows) {
    if (row.name !== null)
      features.push(decodeRow(table, row.name, withListColumns(row.document, row), row.version));
  }
  return { revision: Number(rows[0]?.revision ?? 0), features };
}
