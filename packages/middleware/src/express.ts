/**
 * @rollout/middleware/express: `app.use(flagsMiddleware({ rollout, user }))` gives each
 * request `req.flags`; `requireFlag('beta')` answers 404 (or your handler) when it is off.
 */
import type { FlagName, User } from '@rollout/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { guardName, missingFlags, NOT_FOUND_BODY } from './guard.js';
import { checkFlagsOptions, type FlagsOptions } from './options.js';
import { RequestFlags } from './request-flags.js';

export type { FlagsOptions } from './options.js';
export { RequestFlags } from './request-flags.js';

declare global {
  namespace Express {
    interface Request {
      /** This request's flags, set by `flagsMiddleware`. */
      flags: RequestFlags<unknown>;
    }
  }
}

/**
 * Middleware that maps the request to its user once (`user(req)`, which may be async)
 * and sets `req.flags`. A throw or rejection of `user` goes to `next(error)`.
 */
export function flagsMiddleware<U = User>(options: FlagsOptions<U, Request>): RequestHandler {
  const { rollout, user } = checkFlagsOptions(options);
  return (req, _res, next) => {
    let mapped: U | Promise<U>;
    try {
      mapped = user(req);
    } catch (error) {
      next(error);
      return;
    }
    if (mapped instanceof Promise) {
      mapped.then((u) => {
        req.flags = new RequestFlags(rollout, u) as RequestFlags<unknown>;
        next();
      }, next);
      return;
    }
    req.flags = new RequestFlags(rollout, mapped) as RequestFlags<unknown>;
    next();
  };
}

/** Options of {@link requireFlag}. */
export interface RequireFlagOptions {
  /** Answers when the flag is off, instead of 404 `{ code: 'NOT_FOUND', message }`. */
  onDisabled?: (req: Request, res: Response, next: NextFunction) => void;
}

/**
 * Route guard: passes when `req.flags.can(name)`, else answers 404 JSON (the route
 * looks absent) or calls `onDisabled`. Needs {@link flagsMiddleware} before it.
 */
export function requireFlag(name: FlagName, options: RequireFlagOptions = {}): RequestHandler {
  const flag = guardName(name);
  return (req, res, next) => {
    const flags = req.flags as RequestFlags<unknown> | undefined;
    if (flags === undefined) return next(missingFlags(flag, 'flagsMiddleware'));
    if (flags.can(flag)) return next();
    if (options.onDisabled) return options.onDisabled(req, res, next);
    res.status(404).json(NOT_FOUND_BODY);
  };
}
