import type { JsonValue } from '@rollout/core';
import type { FlagResolution } from '@rollout/openfeature/evaluation';
import { type OfrepReason, ofrepReason } from './reasons.js';

/** OFREP `metadata`: a flat record. */
export type OfrepMetadata = Record<string, string | number | boolean>;

/** OFREP `evaluationSuccess`. */
export interface OfrepSuccess {
  key: string;
  value: JsonValue;
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
 * A resolution as OFREP says it. Metadata carries `hashVersion`, `version`,
 * `rolloutReason` and `stale`, not the snapshot revision: a write to another flag
 * must not change this flag's body (the bulk ETag is a hash of the body).
 */
export function ofrepEvaluation(r: FlagResolution): OfrepEvaluation {
  if (r.errorCode !== undefined || r.value === undefined) {
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
  const body: OfrepSuccess = {
    key: r.key,
    value: r.value,
    reason: ofrepReason(r.reason, r.entry?.targeted ?? false),
    metadata,
  };
  if (r.variant !== undefined) body.variant = r.variant;
  return { status: 200, body };
}
