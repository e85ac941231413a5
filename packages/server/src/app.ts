import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { mountAdmin } from './admin/mount.js';
import { requireAuth } from './auth.js';
import { limitBody } from './body-limit.js';
import type { ServerEnv } from './env.js';
import type { EventStreams } from './event-stream.js';
import { healthRoutes } from './health.js';
import { jsonError } from './json-errors.js';
import { BadRequestBody } from './ofrep/request-body.js';
import { type OfrepDeps, ofrepRoutes } from './ofrep/routes.js';
import { hasAuth, type ServerSettings } from './options.js';

/**
 * The router. Today: `/healthz` and OFREP under `/ofrep/v1`. The admin JSON API
 * mounts beside them under `/api` and the dashboard at `/` (issue 14), each as its
 * own sub-app with its own auth and CSRF rules; the error handling, CORS and body
 * limit here already cover every route.
 */
export function buildApp(
  settings: ServerSettings,
  deps: Omit<OfrepDeps, 'tickets' | 'basePath'>,
): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();

  app.onError((error, c) => {
    if (error instanceof BadRequestBody) {
      const key = c.req.param('key');
      return jsonError(c, 400, error.errorCode, error.message, key === undefined ? {} : { key });
    }
    settings.onError(error);
    // Never a stack trace: the details went to onError, the client gets a code.
    return jsonError(c, 500, 'GENERAL', 'internal server error');
  });
  app.notFound((c) => jsonError(c, 404, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));

  if (settings.cors.length > 0) {
    const any = settings.cors.includes('*');
    app.use(
      '*',
      cors({
        origin: (origin) => (any || settings.cors.includes(origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'If-None-Match'],
        exposeHeaders: ['ETag', 'Retry-After'],
        maxAge: 600,
      }),
    );
  }

  app.route(
    '/',
    healthRoutes(deps.rollout, () => deps.catalog.names().length),
  );

  const events: EventStreams = deps.events;
  app.use('/ofrep/*', async (c, next) => {
    // Responses depend on credentials and context: no shared cache may keep them.
    // Set before the route answers, so every answer (errors included) is built with
    // it; set after, Hono would copy the finished response (and its body stream) once more.
    c.header('Vary', 'Authorization, X-API-Key', { append: true });
    return next();
  });
  app.use(
    '/ofrep/v1/events',
    requireAuth(settings, (c) => events.hasTicket(c)),
  );
  app.use('/ofrep/v1/evaluate/*', requireAuth(settings));
  app.use(
    '/ofrep/*',
    limitBody(settings.bodyLimit, (c) =>
      jsonError(c, 413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${settings.bodyLimit} bytes`),
    ),
  );
  app.route(
    '/ofrep/v1',
    ofrepRoutes({ ...deps, tickets: hasAuth(settings), basePath: settings.basePath }),
  );
  mountAdmin(app, settings, deps.rollout, events);
  return app;
}
