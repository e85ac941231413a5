import type { RolloutError } from '../errors.js';
import { type CompiledFeature, type EvaluationDetail, isOnReason } from '../evaluate.js';
import { OPEN_FEATURE_REASONS, type OpenFeatureReason, type Reason } from '../reasons.js';

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
