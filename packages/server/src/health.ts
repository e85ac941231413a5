import type { Rollout } from '@rollout/core';
import { Hono } from 'hono';
import type { ServerEnv } from './env.js';
import { methodNotAllowed } from './json-errors.js';

/**
 * `GET /healthz`, for load balancers, without credentials: 200 while the client
 * serves a snapshot (`ready`, or `stale` = serving the last one while the store is
 * away), 503 before the first snapshot and after close. Body: `{ status, ready,
 * stale, revision, features }`; nothing about the flags themselves.
 */
export function healthRoutes(rollout: Rollout, featureCount: () => number): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/healthz', (c) => {
    const status = rollout.status;
    const serving = status === 'ready' || status === 'stale';
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        status,
        ready: rollout.isReady,
        stale: status === 'stale',
        revision: rollout.revision,
        features: featureCount(),
      },
      serving ? 200 : 503,
    );
  });
  app.all('/healthz', methodNotAllowed('GET'));
  return app;
}
