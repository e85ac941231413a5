import type { OpenFeatureReason } from '@rollout/core';

/** The reasons OFREP 0.3 allows in an evaluation success. */
export type OfrepReason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'UNKNOWN';

/**
 * OpenFeature reason (core's `OPEN_FEATURE_REASONS`) → OFREP reason. OFREP has no
 * `DEFAULT`; rollout's `DEFAULT` ("no step let this user in, so off") becomes:
 * - `TARGETING_MATCH` when the feature has targeting (lists, groups, rules, a
 *   percentage): the value is the outcome of evaluating that targeting for this user;
 * - `STATIC` when it has none: the feature is off for everyone, whoever asks.
 * The exact step stays in the flag's `metadata.rolloutReason` (`DEFAULT`).
 */
export function ofrepReason(reason: OpenFeatureReason, targeted: boolean): OfrepReason {
  switch (reason) {
    case 'STATIC':
    case 'TARGETING_MATCH':
    case 'SPLIT':
    case 'DISABLED':
      return reason;
    case 'DEFAULT':
      return targeted ? 'TARGETING_MATCH' : 'STATIC';
    default:
      return 'UNKNOWN';
  }
}
