import type { RolloutError } from '../errors.js';
import { type CompiledFeature, type EvaluationDetail, idOf, isOnReason } from '../evaluate.js';
import type { User } from '../model.js';
import { OPEN_FEATURE_REASONS, type OpenFeatureReason, type Reason } from '../reasons.js';
import { variantBucketOf } from '../variant-bucket.js';

/** What `explain` returns: the answer and the step that decided it. */
export interface Explanation {
  /** The feature asked about. */
  feature: string;
  /** The answer `can` gives. */
  enabled: boolean;
  /** The step of the evaluation order that decided. */
  reason: Reason;
  /** The same reason in OpenFeature's vocabulary. */
  openFeatureReason: OpenFeatureReason;
  /** False before the first snapshot loaded (the answer is then the default, off). */
  ready: boolean;
  /** True while the store is unreachable and the answer comes from the last known snapshot. */
  stale: boolean;
  /** When the client became stale (ISO 8601). */
  staleSince?: string;
  /** The error that made the client stale. */
  staleError?: { code: string; message: string };
  /** The user id used, if any. */
  userId?: string | number;
  /** The group that matched (reason GROUP). */
  group?: string;
  /** Index of the rule that matched (reason RULE). */
  rule?: number;
  /** The user's bucket position in percent, when the percentage step ran. */
  bucket?: number;
  /** The feature's percentage, when the percentage step ran. */
  percentage?: number;
  /** The variant the user gets (when the feature is on and has variants). */
  variant?: string;
  /**
   * The user's variant bucket position in percent, when the variant bucket chose
   * (no pin, no rule variant, and the user has an id).
   */
  variantBucket?: number;
  /** The feature's stored version, when it exists. */
  version?: number;
  /** The snapshot revision the answer comes from. */
  revision: number;
}

/** What the client knew when it answered: the part of an explanation that is not about the feature. */
export interface ClientState {
  ready: boolean;
  stale: boolean;
  staleSince: string | undefined;
  staleError: RolloutError | undefined;
  revision: number;
}

/** The explanation before evaluation: `NOT_READY` until a step or a later check decides. */
export function baseExplanation(feature: string, state: ClientState): Explanation {
  const base: Explanation = {
    feature,
    enabled: false,
    reason: 'NOT_READY',
    openFeatureReason: 'ERROR',
    ready: state.ready,
    stale: state.stale,
    revision: state.revision,
  };
  if (state.staleSince !== undefined && base.stale) {
    base.staleSince = state.staleSince;
    if (state.staleError)
      base.staleError = { code: state.staleError.code, message: state.staleError.message };
  }
  return base;
}

/** Sets the deciding reason, with its OpenFeature name and the answer it means. */
export function withReason(e: Explanation, reason: Reason): Explanation {
  e.reason = reason;
  e.openFeatureReason = OPEN_FEATURE_REASONS[reason];
  e.enabled = isOnReason(reason);
  return e;
}

/** Fills in what the evaluation of `cf` decided and where it stood (`detail`). */
export function explainEvaluation(
  e: Explanation,
  cf: CompiledFeature,
  reason: Reason,
  detail: EvaluationDetail,
): Explanation {
  withReason(e, reason);
  if (reason === 'GROUP' && detail.group !== undefined) e.group = detail.group;
  if (reason === 'RULE') e.rule = detail.rule;
  if (detail.position >= 0) {
    e.bucket = detail.position;
    e.percentage = cf.percentage;
  }
  return e;
}

/** Adds the variant (index into the feature's variants, -1: none) an "on" answer serves. */
export function explainVariant(
  e: Explanation,
  cf: CompiledFeature,
  user: User,
  index: number,
): Explanation {
  const variant = cf.feature.variants?.[index];
  if (variant === undefined) return e;
  e.variant = variant.name;
  const id = idOf(user);
  const pinned = id !== undefined && cf.variants.pins.has(String(id));
  const byRule =
    e.reason === 'RULE' && e.rule !== undefined && cf.feature.rules[e.rule]?.variant !== undefined;
  if (id !== undefined && !pinned && !byRule) {
    e.variantBucket = variantBucketOf(cf.feature.name, id) / 1000;
  }
  return e;
}
