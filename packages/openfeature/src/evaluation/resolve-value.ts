import type { JsonValue, OpenFeatureReason, Reason, Rollout, User } from '@rollout/core';
import type { CatalogEntry, FeatureCatalog } from './feature-catalog.js';

/** The value types OpenFeature asks for. */
export type FlagValueType = 'boolean' | 'string' | 'number' | 'object';

/** OpenFeature error codes a resolution can carry. */
export type ResolutionErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'PROVIDER_NOT_READY'
  | 'TYPE_MISMATCH'
  | 'INVALID_CONTEXT'
  | 'GENERAL';

/** Flag metadata every resolution carries (OpenFeature `flagMetadata`, OFREP `metadata`). */
export interface RolloutFlagMetadata {
  /** The bucketing hash version stored with the feature. */
  hashVersion?: number;
  /** The feature's stored write version. */
  version?: number;
  /** The step of rollout's evaluation order that decided (`ALL`, `GROUP`, `PERCENTAGE`, ...). */
  rolloutReason: Reason;
  /** The snapshot revision the answer comes from. */
  revision: number;
  /** True while the store is unreachable and the answer comes from the last known snapshot. */
  stale: boolean;
  /** Index signature: OpenFeature metadata is a flat record. */
  [key: string]: string | number | boolean | undefined;
}

/** The answer for one flag, whatever its type. */
export interface FlagResolution {
  /** The flag's key. */
  key: string;
  /** The value, when the flag resolved (no `errorCode`). */
  value?: JsonValue;
  /** The variant's name: `on`/`off` for a boolean feature. */
  variant?: string;
  /** OpenFeature's reason (core's mapping, `OPEN_FEATURE_REASONS`). */
  reason: OpenFeatureReason;
  /** Set when the flag did not resolve; `value` is then absent. */
  errorCode?: ResolutionErrorCode;
  /** Why, for people. */
  errorMessage?: string;
  flagMetadata: RolloutFlagMetadata;
  /** The catalog's entry for the feature (undefined for an unknown flag). */
  entry?: CatalogEntry;
}

function typeOf(value: JsonValue): FlagValueType | 'null' {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value as FlagValueType;
}

/**
 * The one place that asks core what a flag is worth for a user; the OpenFeature
 * provider and the OFREP server both answer from here. Synchronous, no I/O, never
 * throws.
 *
 * Today every feature is boolean: the value is `explain(user, key).enabled`, the
 * variant `on` or `off`. When core grows variants, this function reads
 * `rollout.variant(user, key)` for features that have them and returns the chosen
 * variant's name and value; nothing else changes for callers.
 */
export function resolveFlag(
  rollout: Rollout,
  catalog: FeatureCatalog,
  user: User,
  key: string,
): FlagResolution {
  const explained = rollout.explain(user, key);
  const flagMetadata: RolloutFlagMetadata = {
    rolloutReason: explained.reason,
    revision: explained.revision,
    stale: explained.stale,
  };
  const entry = catalog.get(key);
  if (entry) {
    flagMetadata.hashVersion = entry.hashVersion;
    flagMetadata.version = entry.version;
  }
  // One literal per outcome, not `{ ...base, ... }`: V8 (Node 20) copies a spread
  // that gains properties on a slow path, microseconds per flag, which a bulk
  // evaluation pays for every flag of every request.
  const reason = explained.openFeatureReason;
  switch (explained.reason) {
    case 'NOT_READY':
      return failure(
        key,
        reason,
        flagMetadata,
        entry,
        'PROVIDER_NOT_READY',
        'no snapshot loaded yet',
      );
    case 'FEATURE_NOT_FOUND':
      return failure(
        key,
        reason,
        flagMetadata,
        entry,
        'FLAG_NOT_FOUND',
        `flag ${JSON.stringify(key)} was not found`,
      );
    case 'ERROR':
      return failure(
        key,
        reason,
        flagMetadata,
        entry,
        'INVALID_CONTEXT',
        'the client could not evaluate this context (its mapUser threw)',
      );
    default:
      return {
        key,
        reason,
        flagMetadata,
        entry,
        value: explained.enabled,
        variant: explained.enabled ? 'on' : 'off',
      };
  }
}

function failure(
  key: string,
  reason: OpenFeatureReason,
  flagMetadata: RolloutFlagMetadata,
  entry: CatalogEntry | undefined,
  errorCode: ResolutionErrorCode,
  errorMessage: string,
): FlagResolution {
  return { key, reason, flagMetadata, entry, errorCode, errorMessage };
}

/**
 * {@link resolveFlag} for a caller that expects `type`: a value of another type
 * becomes a `TYPE_MISMATCH` error (a boolean feature asked for a string is one).
 */
export function resolveTyped(
  rollout: Rollout,
  catalog: FeatureCatalog,
  user: User,
  key: string,
  type: FlagValueType,
): FlagResolution {
  const resolution = resolveFlag(rollout, catalog, user, key);
  if (resolution.errorCode !== undefined || resolution.value === undefined) return resolution;
  const actual = typeOf(resolution.value);
  if (actual === type) return resolution;
  const { value: _value, variant: _variant, ...rest } = resolution;
  return {
    ...rest,
    reason: 'ERROR',
    errorCode: 'TYPE_MISMATCH',
    errorMessage: `flag ${JSON.stringify(key)} is a ${actual} flag, not a ${type} flag`,
  };
}
