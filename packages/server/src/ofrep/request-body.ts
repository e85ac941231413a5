import type { User } from '@rollout/core';
import { InvalidContextError, userFromContext } from '@rollout/openfeature/evaluation';
import type { Context } from 'hono';

/** A request body that is not an OFREP evaluation request. */
export class BadRequestBody extends Error {
  constructor(
    readonly errorCode: 'PARSE_ERROR' | 'INVALID_CONTEXT',
    message: string,
  ) {
    super(message);
  }
}

const EXPECTED = 'expected a JSON body like {"context": {"targetingKey": "user-1"}}';

/**
 * Reads `{ "context": { ... } }` and maps the context onto a user (see
 * `userFromContext`). The body's size was bounded before this runs. Throws
 * BadRequestBody (PARSE_ERROR for bad JSON, INVALID_CONTEXT for a bad context).
 * `targetingKey` may be absent, unlike the spec's schema: rollout evaluates users
 * without an id (`ALL`, groups, rules), and browser providers often have none.
 */
export async function readEvaluationRequest(c: Context): Promise<User> {
  const text = await c.req.text();
  if (text.trim() === '') throw new BadRequestBody('PARSE_ERROR', `the body is empty; ${EXPECTED}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid JSON';
    throw new BadRequestBody('PARSE_ERROR', `the body is not JSON (${reason}); ${EXPECTED}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestBody('PARSE_ERROR', `the body is not a JSON object; ${EXPECTED}`);
  }
  const context = Object.hasOwn(body, 'context')
    ? (body as { context: unknown }).context
    : undefined;
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new BadRequestBody('INVALID_CONTEXT', `"context" must be an object; ${EXPECTED}`);
  }
  try {
    return userFromContext(context as Record<string, unknown>);
  } catch (error) {
    if (error instanceof InvalidContextError)
      throw new BadRequestBody('INVALID_CONTEXT', error.message);
    throw error;
  }
}
