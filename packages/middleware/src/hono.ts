/**
 * @rollout/middleware/hono: `app.use(flagsMiddleware({ rollout, user }))` gives each
 * request `c.get('flags')`; `requireFlag('beta')` answers 404 (or your handler) when off.
 */
import type { FlagName, User } from '@rollout/core';
import type { Context, MiddlewareHandler } from 'hono';
import { guardName, missingFlags, NOT_FOUND_BODY } from './guard.js';
import { checkFlagsOptions, type FlagsOptions } from './options.js';
import { RequestFlags } from './request-flags.js';

export type { FlagsOptions } from './options.js';
export { RequestFlags } from './request-flags.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** This request's flags, set by `flagsMiddleware`. */
    flags: RequestFlags<unknown>;
  }
}

/** Middleware that maps the request to its user once (`user(c)`, may be async) and sets `c.get('flags')`. */
export function flagsMiddleware<U = User>(options: FlagsOptions<U, Context>): MiddlewareHandler {
  const { rollout, user } = checkFlagsOptions(options);
  return async (c, next) => {
    c.set('flags', new RequestFlags(rollout, await user(c)) as RequestFlags<unknown>);
    await next();
  };
}

/** Options of {@link requireFlag}. */
export interface RequireFlagOptions {
  /** Answers when the flag is off, instead of 404 `{ code: 'NOT_FOUND', message }`. */
  onDisabled?: (c: Context) => Response | Promise<Response>;
}

/**
 * Route guard: passes when `c.get('flags').can(name)`, else answers 404 JSON (the
 * route looks absent) or `onDisabled(c)`. Needs {@link flagsMiddleware} before it.
 */
export function requireFlag(name: FlagName, options: RequireFlagOptions = {}): MiddlewareHandler {
  const flag = guardName(name);
  return async (c, next) => {
    const flags = c.get('flags') as RequestFlags<unknown> | undefined;
    if (flags === undefined) throw missingFlags(flag, 'flagsMiddleware');
    if (flags.can(flag)) return next();
    if (options.onDisabled) return options.onDisabled(c);
    return c.json(NOT_FOUND_BODY, 404);
  };
}
