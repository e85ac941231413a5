import { type Rollout, ValidationError } from '@rollout/core';

/** What every framework's flags middleware takes. */
export interface FlagsOptions<U, Req> {
  /** The client to answer from (ready or not: before `ready()` every flag is off). */
  rollout: Rollout<U>;
  /**
   * The request's user, asked once per request. May return a promise (a session
   * lookup); a throw or rejection goes to the framework's error handling.
   */
  user: (req: Req) => U | Promise<U>;
}

/** Checks the options once, when the middleware is built, so a typo fails at start-up. */
export function checkFlagsOptions<U, Req>(options: FlagsOptions<U, Req>): FlagsOptions<U, Req> {
  if (typeof options?.rollout?.can !== 'function')
    throw new ValidationError('rollout', options?.rollout, 'must be a Rollout client');
  if (typeof options.user !== 'function')
    throw new ValidationError('user', options.user, 'must be a function (req) => user');
  return options;
}
