import { CorruptDataError, type Feature, parseFeature } from '@rollout/core';
import { checkFeatureRecord } from '@rollout/core/store';
import { STORE_NAME } from './errors.js';

/** A feature ready to write: validated (its version dropped) and its `document` text. */
export interface EncodedFeature {
  readonly feature: Feature;
  readonly document: string;
}

/**
 * Validates a feature given to `put` (ValidationError) and encodes it as the JSON
 * text of the `document` column, without the version (the `version` column is
 * the truth). JSON.stringify escapes U+0000 and lone surrogates, so any string
 * survives the UTF-8 round trip unchanged.
 */
export function encodeFeature(feature: Feature): EncodedFeature {
  const clean = checkFeatureRecord(feature);
  const { version: _version, ...document } = clean;
  return { feature: clean, document: JSON.stringify(document) };
}

/** A row of the features table. */
export interface FeatureRow {
  readonly name: string;
  readonly document: unknown;
  readonly version: unknown;
}

/**
 * Rebuilds a validated feature from a row; the `name` and `version` columns win
 * over the document. A row that does not parse or validate throws
 * CorruptDataError naming the file, the table and the row.
 */
export function decodeRow(where: string, row: FeatureRow): Feature {
  const location = `${where} row name=${JSON.stringify(row.name)}`;
  let document: unknown;
  try {
    document = typeof row.document === 'string' ? JSON.parse(row.document) : undefined;
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, location, 'document is not JSON', { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CorruptDataError(STORE_NAME, location, 'document is not a JSON object');
  }
  try {
    return parseFeature({ ...document, name: row.name, version: row.version });
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(STORE_NAME, location, problem, { cause: error });
  }
}
