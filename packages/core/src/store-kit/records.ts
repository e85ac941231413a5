import { ValidationError } from '../errors.js';
import type { Feature } from '../model.js';
import { parseFeature } from '../validation.js';

/**
 * Checks a record given to `put`, as the contract asks every store to: throws
 * ValidationError (code `INVALID_INPUT`) unless it is a valid feature, before
 * anything reaches the backend. Returns a fresh, validated copy with version 0
 * (its version is ignored: the store sets `expectedVersion + 1`).
 */
export function checkFeatureRecord(feature: unknown): Feature {
  if (typeof feature !== 'object' || feature === null) {
    throw new ValidationError('feature', feature, 'must be a feature object');
  }
  const { version: _ignored, ...fields } = feature as Feature;
  return parseFeature(fields);
}
