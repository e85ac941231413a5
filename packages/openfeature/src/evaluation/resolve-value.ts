import {
  type JsonValue,
  OPEN_FEATURE_REASONS,
  type OpenFeatureReason,
  type Reason,
  type Rollout,
  type User,
  type VariantResult,
} from '@rollout/core';
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

/**
 * The answer for one flag, whatever its type. A resolution without `errorCode` and
 * without `value` means "no value for this user: use the caller's default" (a feature
 * with variants that is off and has no `offValue`).
 */
export interface FlagResolution {
  /** The flag's key. */
  key: string;
  /**
   * The flag's value: the variant's value (on) or the `offValue` (off) for a feature
   * with variants or an `offValue`; whether it is on for a plain feature. Absent on
   * errors and when a valued feature has no value for the user.
   */
  value: JsonValue | undefined;
  /** Whether the feature is on for the user (`rollout.can`); false on errors. */
  enabled: boolean;
  /**
   * The variant's name when the user gets one; otherwise `on` or `off` (a plain
   * feature, or a feature with variants that is off). Absent on errors.
   */
  variant: string | undefined;
  /** OpenFeature's reason (core's mapping, `OPEN_FEATURE_REASONS`). */
  reason: OpenFeatureReason;
  /** Set when the flag did not resolve; `value` is then absent. */
  errorCode: ResolutionErrorCode | undefined;
  /** Why, for people. */
  errorMessage: string | undefined;
  /** Holds no undefined values (a field without a value is left out). */
  flagMetadata: RolloutFlagMetadata;
  /** The catalog's entry for the feature (undefined for an unknown flag). */
  entry: CatalogEntry | undefined;
}

/**
 * Every resolution is built here, with every field in the same order, so they all
 * share one hidden class: no `{ ...base, ... }`, which V8 (Node 20) copies on a slow
 * path (microseconds per flag, paid for every flag of every bulk request).
 */
function resolution(
  key: string,
  value: JsonValue | undefined,
  enabled: boolean,
  variant: string | undefined,
  reason: OpenFeatureReason,
  errorCode: ResolutionErrorCode | undefined,
  errorMessage: string | undefined,
  flagMetadata: RolloutFlagMetadata,
  entry: CatalogEntry | undefined,
): FlagResolution {
  return { key, value, enabled, variant, reason, errorCode, errorMessage, flagMetadata, entry };
}

function typeOf(value: JsonValue): FlagValueType | 'null' {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value as FlagValueType;
}

/**
 * The one place that asks core what a flag is worth for a user; the OpenFeature
 * provider and the OFREP server both answer from here. Synchronous, no I/O, never
 * throws. Reads `rollout.variant(user, key)` (which allocates nothing) rather than
 * `explain`; the revision and staleness come from the client.
 *
 * The value, typeless (what OFREP carries): for a feature with variants or an
 * `offValue`, the variant's value when on and the `offValue` when off (absent when
 * there is none: the caller's default); for a plain feature, whether it is on. The
 * value is core's shared, frozen copy: callers must not change it.
 */
export function resolveFlag(
  rollout: Rollout,
  catalog: FeatureCatalog,
  user: User,
  key: string,
): FlagResolution {
  return resolutionOf(rollout, catalog, key, rollout.variant(user, key));
}

/**
 * Every flag of the client's snapshot for one user, sorted by key: what the OFREP
 * bulk endpoint answers. The answers come from `rollout.allFlags` (the function the
 * page bootstrap and the middleware's `flags.all()` use), so a bulk evaluation, a
 * bootstrap and a later single evaluation never disagree. Never throws.
 */
export function resolveAll(
  rollout: Rollout,
  catalog: FeatureCatalog,
  user: User,
): FlagResolution[] {
  const answers = rollout.allFlags(user);
  return Object.entries(answers).map(([key, answer]) =>
    resolutionOf(rollout, catalog, key, answer),
  );
}

/** A resolution from core's answer for `key` (what `rollout.variant` returned). */
function resolutionOf(
  rollout: Rollout,
  catalog: FeatureCatalog,
  key: string,
  result: VariantResult,
): FlagResolution {
  const flagMetadata: RolloutFlagMetadata = {
    rolloutReason: result.reason,
    revision: rollout.revision,
    stale: rollout.status === 'stale',
  };
  const entry = catalog.get(key);
  if (entry) {
    flagMetadata.hashVersion = entry.hashVersion;
    flagMetadata.version = entry.version;
  }
  const reason = OPEN_FEATURE_REASONS[result.reason];
  switch (result.reason) {
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
    default: {
      const enabled = result.enabled;
      const variant = result.variant ?? (enabled ? 'on' : 'off');
      // A value from core always wins: the catalog follows the client's events and
      // may not have seen a feature's new variants yet. Without one, a valued
      // feature has nothing for this user (the caller's default); a plain one
      // answers whether it is on.
      const value = result.value !== undefined || entry?.valued ? result.value : enabled;
      return resolution(
        key,
        value,
        enabled,
        variant,
        reason,
        undefined,
        undefined,
        flagMetadata,
        entry,
      );
    }
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
  return resolution(
    key,
    undefined,
    false,
    undefined,
    reason,
    errorCode,
    errorMessage,
    flagMetadata,
    entry,
  );
}

/**
 * {@link resolveFlag} for a caller that expects `type` (the OpenFeature provider):
 * - `boolean`: answered for every known feature, by its value when that is a boolean
 *   (a plain feature, or variants whose values are booleans), else by whether the
 *   feature is on for the user (`rollout.can`): a feature with string variants asked
 *   for a boolean says whether the user is in. `variant` still names the variant.
 * - `string`, `number`, `object`: the value when it has that JSON type (arrays count
 *   as objects); a value of another type is a `TYPE_MISMATCH` error (a plain feature
 *   asked for a string is one); no value (off without an `offValue`) is a resolution
 *   without `value`, for the caller's default.
 */
export function resolveTyped(
  rollout: Rollout,
  catalog: FeatureCatalog,
  user: User,
  key: string,
  type: FlagValueType,
): FlagResolution {
  const r = resolveFlag(rollout, catalog, user, key);
  if (r.errorCode !== undefined) return r;
  const value = r.value;
  if (type === 'boolean') {
    // r is this call's own object: setting a field allocates nothing.
    if (typeof value !== 'boolean') r.value = r.enabled;
    return r;
  }
  if (value === undefined) return r;
  const actual = typeOf(value);
  if (actual === type) return r;
  return resolution(
    key,
    undefined,
    r.enabled,
    undefined,
    'ERROR',
    'TYPE_MISMATCH',
    `flag ${JSON.stringify(key)} is a ${actual} flag, not a ${type} flag`,
    r.flagMetadata,
    r.entry,
  );
}
