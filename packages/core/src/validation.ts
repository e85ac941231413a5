/**
 * Validation of everything user-supplied, before it reaches a store: this file holds the
 * feature record as a whole (creation input, records read back, its numeric fields); the
 * parts live by concern under `validation/` (names and ids, rules, data) and are
 * re-exported here, so callers import every check from one place.
 */
import { DEFAULT_HASH_VERSION } from './bucket.js';
import { ValidationError } from './errors.js';
import { hashVersion } from './hash-versions.js';
import { FEATURE_CONTENT_FIELDS, type Feature, type FeatureInput } from './model.js';
import { normalizeData, normalizeDescription } from './validation/data.js';
import { normalizeGroupList, normalizeUserList, validateFeatureName } from './validation/names.js';
import { normalizeRules } from './validation/rules.js';
import {
  checkVariantReferences,
  normalizeOffValue,
  normalizeUserVariants,
  normalizeVariants,
} from './validation/variants.js';

export { normalizeData, normalizeDescription } from './validation/data.js';
export {
  normalizeGroupList,
  normalizeUserId,
  normalizeUserList,
  userIdOf,
  validateFeatureName,
  validateGroupName,
} from './validation/names.js';
export {
  normalizeCondition,
  normalizeRule,
  normalizeRules,
  SINGLE_VALUE_OPERATORS,
} from './validation/rules.js';
export {
  checkVariantReferences,
  normalizeOffValue,
  normalizeUserVariants,
  normalizeVariants,
  validateVariantName,
  validateWeight,
} from './validation/variants.js';

/** Checks a percentage (0 to 100) and rounds it to the 0.001 % resolution buckets have. */
export function validatePercentage(value: unknown, field = 'percentage'): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ValidationError(field, value, 'a percentage must be a number from 0 to 100');
  }
  if (!(value >= 0 && value <= 100)) {
    throw new ValidationError(field, value, 'a percentage must be from 0 to 100');
  }
  return Math.round(value * 1000) / 1000;
}

/** Validates a hash version: one this release knows. */
export function validateHashVersion(value: unknown, field = 'hashVersion'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || !hashVersion(value)) {
    throw new ValidationError(field, value, 'unknown bucketing hash version');
  }
  return value;
}

function checkTimestamp(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(field, value, 'must be an ISO 8601 timestamp');
  }
  return value;
}

/**
 * Builds a complete, normalized feature from `addFeature` input. `now` stamps
 * both timestamps; `version` is 0 until a store writes it.
 */
export function featureFromInput(input: unknown, now: string): Feature {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('feature', input, 'a feature must be an object with at least a name');
  }
  const raw = input as FeatureInput & Record<string, unknown>;
  const known = new Set<string>(['name', ...FEATURE_CONTENT_FIELDS]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      throw new ValidationError(
        key,
        raw[key],
        `unknown feature field (known: ${[...known].join(', ')})`,
      );
  }
  const feature: Feature = {
    name: validateFeatureName(raw.name),
    description: raw.description === undefined ? '' : normalizeDescription(raw.description),
    groups: raw.groups === undefined ? [] : normalizeGroupList(raw.groups),
    users: raw.users === undefined ? [] : normalizeUserList(raw.users, 'users'),
    excludedUsers:
      raw.excludedUsers === undefined ? [] : normalizeUserList(raw.excludedUsers, 'excludedUsers'),
    percentage: raw.percentage === undefined ? 0 : validatePercentage(raw.percentage),
    rules: raw.rules === undefined ? [] : normalizeRules(raw.rules),
    data: raw.data === undefined ? {} : normalizeData(raw.data),
    hashVersion:
      raw.hashVersion === undefined ? DEFAULT_HASH_VERSION : validateHashVersion(raw.hashVersion),
    // Present only when set, so a plain on/off feature reads (and is stored) as before variants.
    ...(isEmptyList(raw.variants) ? {} : { variants: normalizeVariants(raw.variants) }),
    ...(raw.offValue === undefined ? {} : { offValue: normalizeOffValue(raw.offValue) }),
    ...(isEmptyList(raw.userVariants)
      ? {}
      : { userVariants: normalizeUserVariants(raw.userVariants) }),
    createdAt: now,
    updatedAt: now,
    version: 0,
  };
  checkVariantReferences(feature);
  return feature;
}

/** Undefined or `[]`: an optional list field that is not set. */
function isEmptyList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

/**
 * Validates a feature read back from a store (or an import file) and returns a
 * normalized copy. Stores wrap the ValidationError it throws in a CorruptDataError
 * that says where the bad record lives.
 */
export function parseFeature(value: unknown): Feature {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('feature', value, 'a stored feature must be a JSON object');
  }
  const raw = value as Record<string, unknown>;
  const { createdAt, updatedAt, version, ...rest } = raw;
  const feature = featureFromInput(
    rest,
    checkTimestamp(createdAt ?? new Date(0).toISOString(), 'createdAt'),
  );
  feature.updatedAt = checkTimestamp(updatedAt ?? feature.createdAt, 'updatedAt');
  if (
    version !== undefined &&
    (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
  ) {
    throw new ValidationError('version', version, 'must be a non-negative integer');
  }
  feature.version = version ?? 0;
  return feature;
}
