import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Error codes of the server's own JSON errors. OFREP's (`PARSE_ERROR`,
 * `INVALID_CONTEXT`, `FLAG_NOT_FOUND`, `GENERAL`) plus the HTTP-level ones.
 */
export type ServerErrorCode =
  | 'PARSE_ERROR'
  | 'INVALID_CONTEXT'
  | 'FLAG_NOT_FOUND'
  | 'GENERAL'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_READY';

/** Every error the server answers is JSON: `{ errorCode, errorDetails }` (+ `key` for a flag). */
export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  errorCode: ServerErrorCode,
  errorDetails: string,
  extra: Record<string, string> = {},
): Response {
  return c.json({ ...extra, errorCode, errorDetails }, status);
}

/** 405 with the `Allow` header, for a known path asked with the wrong method. */
export function methodNotAllowed(allow: string) {
  return (c: Context): Response => {
    c.header('Allow', allow);
    return jsonError(
      c,
      405,
      'METHOD_NOT_ALLOWED',
      `${c.req.method} is not allowed here; use ${allow}`,
    );
  };
}
