/**
 * @rollout/server: rollout over HTTP. OFREP 0.3 evaluation (single, bulk with ETag,
 * SSE event stream) and `/healthz`, from a client's in-memory snapshot; the admin
 * JSON API under `/api` and the dashboard at `/`; a handler
 * first (node:http, Express, Fastify, Hono, Fetch API), a process second (`listen`,
 * `rollout serve`).
 */

export type { AdminErrorBody, AdminErrorCode } from './admin/admin-errors.js';
export type { AdminOptions, EnvironmentBanner } from './admin/admin-options.js';
export type { FeatureState, FeatureSummary } from './admin/feature-state.js';
export type { HistoryClient } from './admin/history-routes.js';
export { createRolloutServer, type FetchInfo, type RolloutServer } from './create-server.js';
export { type Listening, type ListenOptions, listen } from './listen.js';
export { type OfrepReason, ofrepReason } from './ofrep/reasons.js';
export type { AdminGrant, Authorize, AuthorizeRequest, RolloutServerOptions } from './options.js';
