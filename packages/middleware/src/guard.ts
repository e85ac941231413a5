import { validateFeatureName } from '@rollout/core';

/** What a guard answers when its flag is off and no handler is given: a plain 404. */
export const NOT_FOUND_BODY = Object.freeze({ code: 'NOT_FOUND', message: 'Not Found' });

/**
 * Checks a guard's flag name when the guard is built (a bad name fails at start-up,
 * not on the first request).
 */
export function guardName(name: string): string {
  return validateFeatureName(name);
}

/** The error a guard raises when the request has no flags: the middleware is missing. */
export function missingFlags(name: string, middleware: string): Error {
  return new Error(
    `requireFlag('${name}') found no request flags: install ${middleware} before it`,
  );
}
