/**
 * @rollout/middleware: request-scoped rollout flags. Import the framework's entry:
 * `@rollout/middleware/express`, `/fastify` or `/hono`. This entry holds what they
 * share and loads no framework.
 */

export { NOT_FOUND_BODY } from './guard.js';
export type { FlagsOptions } from './options.js';
export { RequestFlags } from './request-flags.js';
