/**
 * @rollout/server: rollout over HTTP. OFREP 0.3 evaluation (single, bulk with ETag,
 * SSE event stream) and `/healthz`, from a client's in-memory snapshot; a handler
 * first (node:http, Express, Fastify, Hono, Fetch API), a process second (`listen`,
 * `rollout serve`).
 */
export { createRolloutServer, type FetchInfo, type RolloutServer } from './create-server.js';
export { type Listening, type ListenOptions, listen } from './listen.js';
export { type OfrepReason, ofrepReason } from './ofrep/reasons.js';
export type { Authorize, AuthorizeRequest, RolloutServerOptions } from './options.js';
