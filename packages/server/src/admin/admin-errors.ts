import { isRolloutError, type RolloutErrorCode, ValidationError } from '@rollout/core';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Codes of the admin API's errors: core's own, plus the HTTP-level ones. */
export type AdminErrorCode =
  | RolloutErrorCode
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'READ_ONLY'
  | 'CROSS_ORIGIN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_SUPPORTED'
  | 'INTERNAL';

/** The body of every admin API error. */
export interface AdminErrorBody {
  code: AdminErrorCode;
  message: string;
  /** The offending field, for INVALID_INPUT (`percentage`, `rules[0].operator`). */
  field?: string;
}

/** Answers `{ code, message, field?, ...extra }` with `status`. */
export function adminError(
  c: Context,
  status: ContentfulStatusCode,
  code: AdminErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  c.header('Cache-Control', 'no-store');
  return c.json({ ...extra, code, message }, status);
}

const STATUS: Partial<Record<RolloutErrorCode, ContentfulStatusCode>> = {
  INVALID_INPUT: 400,
  INVALID_STORE_URL: 400,
  FEATURE_NOT_FOUND: 404,
  FEATURE_EXISTS: 409,
  VERSION_CONFLICT: 409,
  STORE_UNAVAILABLE: 503,
  DATA_LOST: 503,
  NOT_READY: 503,
  CLOSED: 503,
  // The client has history, the store keeps none.
  HISTORY_UNSUPPORTED: 501,
};

/**
 * Answers a thrown error: a rollout error keeps its code (and `field` for bad
 * input) with the status HTTP gives that situation; anything else is a 500
 * `INTERNAL` without details, reported to `onError`.
 */
export function errorResponse(c: Context, error: unknown, onError: (e: unknown) => void): Response {
  if (isRolloutError(error)) {
    const status = STATUS[error.code];
    if (status !== undefined) {
      const extra = error instanceof ValidationError ? { field: error.field } : {};
      if (status === 503) c.header('Retry-After', '1');
      return adminError(c, status, error.code, error.message, extra);
    }
    onError(error);
    return adminError(c, 500, error.code, error.message);
  }
  onError(error);
  return adminError(c, 500, 'INTERNAL', 'internal server error');
}
