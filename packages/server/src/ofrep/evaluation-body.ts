import type { JsonValue } from '@rollout/core';
import type { FlagResolution } from '@rollout/openfeature/evaluation';
import { type OfrepReason, ofrepReason } from './reasons.js';

/** OFREP `metadata`: a flat record. */
export type OfrepMetadata = Record<string, string | number | boolean>;

/**
 * OFREP `evaluationSuccess`. Without `value` it tells the client to use its code
 * default (OFREP ADR 0006): a feature with variants that is off and has no `offValue`.
 */
export interface OfrepSuccess {
  key: string;
  value?: JsonValue;
  reason: OfrepReason;
  variant?: string;
  metadata: OfrepMetadata;
}

/** OFREP `evaluationFailure` / `flagNotFound`. */
export interface OfrepFailure {
  key: string;
  errorCode: 'FLAG_NOT_FOUND' | 'INVALID_CONTEXT' | 'GENERAL';
  errorDetails: string;
}

/** A resolution in OFREP's shape, with the status a single evaluation answers with. */
export interface OfrepEvaluation {
  status: 200 | 400 | 404 | 503;
  body: OfrepSuccess | OfrepFailure;
}

/**
 * A resolution as OFREP says it: one value per flag, whoever asks (OFREP requests
 * carry no type): the variant's value for a feature with variants (its `offValue`
 * when off, no `value` when it has none), whether it is on for a plain feature; the
 * variant's name (`on`/`off` otherwise) in `variant`. Metadata carries `hashVersion`, `version`,
 * `rolloutReason` and `stale`, not the snapshot revision: a write to another flag
 * must not change this flag's body (the bulk ETag is a hash of the body).
 */
export function ofrepEvaluation(r: FlagResolution): OfrepEvaluation {
  if (r.errorCode !== undefined) {
    const details = r.errorMessage ?? 'the flag could not be evaluated';
    if (r.errorCode === 'FLAG_NOT_FOUND') {
      return {
        status: 404,
        body: { key: r.key, errorCode: 'FLAG_NOT_FOUND', errorDetails: details },
      };
    }
    if (r.errorCode === 'INVALID_CONTEXT') {
      return {
        status: 400,
        body: { key: r.key, errorCode: 'INVALID_CONTEXT', errorDetails: details },
      };
    }
    return { status: 503, body: { key: r.key, errorCode: 'GENERAL', errorDetails: details } };
  }
  const { hashVersion, version, rolloutReason, stale } = r.flagMetadata;
  const metadata: OfrepMetadata = { rolloutReason, stale };
  if (hashVersion !== undefined) metadata.hashVersion = hashVersion;
  if (version !== undefined) metadata.version = version;
  const reason = ofrepReason(r.reason, r.entry?.targeted ?? false);
  // One literal per shape (no spread, no property added later): this runs for every
  // flag of every bulk request. JSON.stringify leaves an undefined `variant` out.
  const body: OfrepSuccess =
    r.value === undefined
      ? { key: r.key, reason, variant: r.variant, metadata }
      : { key: r.key, value: r.value, reason, variant: r.variant, metadata };
  return { status: 200, body };
}
