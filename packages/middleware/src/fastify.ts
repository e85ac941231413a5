/**
 * @rollout/middleware/fastify: `app.register(flagsPlugin, { rollout, user })` gives each
 * request `request.flags`; `{ preHandler: requireFlag('beta') }` answers 404 (or your
 * handler) when it is off.
 */
import type { FlagName } from '@rollout/core';
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { guardName, missingFlags, NOT_FOUND_BODY } from './guard.js';
import { checkFlagsOptions, type FlagsOptions } from './options.js';
import { RequestFlags } from './request-flags.js';

export type { FlagsOptions } from './options.js';
export { RequestFlags } from './request-flags.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's flags, set by `flagsPlugin`. */
    flags: RequestFlags<unknown>;
  }
}

/**
 * Plugin that maps each request to its user once (`user(request)`, may be async, in
 * an `onRequest` hook) and sets `request.flags`. It is not encapsulated: registered
 * on the root instance, every route of the app sees the flags.
 */
export const flagsPlugin: FastifyPluginAsync<FlagsOptions<unknown, FastifyRequest>> = async (
  app,
  options,
) => {
  const { rollout, user } = checkFlagsOptions(options);
  app.decorateRequest('flags', undefined as unknown as RequestFlags<unknown>);
  app.addHook('onRequest', async (request) => {
    request.flags = new RequestFlags(rollout, await user(request)) as RequestFlags<unknown>;
  });
};
// What fastify-plugin does: run in the parent's scope, so the hook covers every route.
Object.assign(flagsPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@rollout/middleware',
});

/** Options of {@link requireFlag}. */
export interface RequireFlagOptions {
  /** Answers when the flag is off, instead of 404 `{ code: 'NOT_FOUND', message }`. */
  onDisabled?: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/**
 * Route guard for `preHandler`: passes when `request.flags.can(name)`, else answers
 * 404 JSON (the route looks absent) or calls `onDisabled`. Needs {@link flagsPlugin}.
 */
export function requireFlag(
  name: FlagName,
  options: RequireFlagOptions = {},
): preHandlerAsyncHookHandler {
  const flag = guardName(name);
  return async (request, reply) => {
    const flags = request.flags as RequestFlags<unknown> | undefined;
    if (flags === undefined) throw missingFlags(flag, 'flagsPlugin');
    if (flags.can(flag)) return;
    if (options.onDisabled) {
      await options.onDisabled(request, reply);
      return reply;
    }
    return reply.code(404).send(NOT_FOUND_BODY);
  };
}
