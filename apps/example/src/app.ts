import { createServer, type Server } from 'node:http';
import type { Rollout } from '@rollout/core';
import { flagsMiddleware, requireFlag } from '@rollout/middleware/express';
import { createRolloutServer } from '@rollout/server';
import express, { type ErrorRequestHandler, type Response } from 'express';
import { userFromRequest } from './user.js';

/** What the handler needs: the client to ask, and a label for the store (already redacted). */
export interface AppContext {
  rollout: Rollout;
  storeLabel: string;
}

type Json = Record<string, unknown>;

function send(res: Response, status: number, body: Json): void {
  res.status(status).set('cache-control', 'no-store').type('json');
  res.send(`${JSON.stringify(body, null, 2)}\n`);
}

/**
 * The example's Express app. `flagsMiddleware` maps each request to its user once
 * (from the query or `x-user-*` headers) and sets `req.flags`; every answer is a
 * synchronous read of the local snapshot: no request waits on the store.
 *
 * - `GET /`         every flag and what the current user gets (and why), and the
 *                   same answers as the page's bootstrap (`req.flags.all()`)
 * - `GET /beta`     403 unless `new_dashboard` is on for the user (`requireFlag`)
 * - `GET /checkout` the checkout variant: `v2` for users in `checkout_v2`'s percentage
 * - `GET /health`   the client's status (ready, stale) and snapshot revision
 */
export function expressApp(context: AppContext): express.Express {
  const { rollout } = context;
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, { error: 'method not allowed' });
  });
  app.use(
    flagsMiddleware({
      rollout,
      user: (req) =>
        userFromRequest(new URL(req.url, 'http://example.invalid').searchParams, req.headers),
    }),
  );

  app.get('/', (req, res) => {
    const flags = rollout.snapshot().map((feature) => {
      const why = req.flags.explain(feature.name);
      return {
        name: feature.name,
        description: feature.description,
        enabled: why.enabled,
        reason: why.reason,
      };
    });
    const body: Json = {
      user: req.flags.user,
      store: context.storeLabel,
      status: rollout.status,
      revision: rollout.revision,
      flags,
      bootstrap: req.flags.all(),
      try: ['/beta?user=123', '/beta?user=5&groups=vip', '/checkout?user=42', '/?country=NZ'],
    };
    if (req.flags.can('nz_banner')) body.banner = 'Kia ora! Free shipping across New Zealand.';
    send(res, 200, body);
  });

  // The FooHandler pattern: deny unless the flag is on for this user.
  const beta = requireFlag('new_dashboard', {
    onDisabled: (req, res) =>
      send(res, 403, {
        error: 'forbidden',
        feature: 'new_dashboard',
        reason: req.flags.explain('new_dashboard').reason,
        hint: 'try ?user=123 or ?groups=vip',
      }),
  });
  app.get('/beta', beta, (req, res) => {
    const id = (req.flags.user as { id?: string }).id;
    send(res, 200, {
      page: 'new dashboard',
      welcome: `Welcome to the beta, user ${id ?? 'anonymous'}`,
      reason: req.flags.explain('new_dashboard').reason,
    });
  });

  app.get('/checkout', (req, res) => {
    const why = req.flags.explain('checkout_v2');
    const feature = rollout.snapshot().find((f) => f.name === 'checkout_v2');
    const v2 = typeof feature?.data.variant === 'string' ? feature.data.variant : 'v2';
    send(res, 200, {
      variant: why.enabled ? v2 : 'classic',
      reason: why.reason,
      bucket: why.bucket,
      percentage: why.percentage,
    });
  });

  app.get('/health', (_req, res) => {
    const healthy = rollout.status === 'ready';
    send(res, healthy ? 200 : 503, { status: rollout.status, revision: rollout.revision });
  });

  app.use((_req, res) => {
    send(res, 404, {
      error: 'not found',
      paths: ['/', '/beta', '/checkout', '/health', '/flags/'],
    });
  });
  // Flag reads never throw; this guards the example's own code.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    send(res, 500, { error: error instanceof Error ? error.message : String(error) });
  };
  app.use(onError);
  return app;
}

/** Where the app mounts rollout's dashboard, admin API and OFREP endpoints. */
export const FLAGS_PATH = '/flags';

/**
 * An HTTP server running {@link expressApp}, with `@rollout/server` mounted at
 * `/flags`: the dashboard at `/flags/`, the admin API under `/flags/api`, OFREP
 * under `/flags/ofrep/v1`. Without credentials it answers this machine only
 * (read-write), so the example never opens its flags to the network. The flags
 * server sits in front of the Express app because the app answers GET and HEAD
 * only, and the admin API writes. Not listening yet.
 */
export function createApp(context: AppContext): Server {
  const flags = createRolloutServer({
    rollout: context.rollout,
    basePath: FLAGS_PATH,
    admin: { environment: { name: 'example app', color: '#0f766e' } },
  });
  const app = expressApp(context);
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === FLAGS_PATH || path.startsWith(`${FLAGS_PATH}?`)) {
      res.writeHead(308, { location: `${FLAGS_PATH}/${path.slice(FLAGS_PATH.length)}` }).end();
      return;
    }
    if (path.startsWith(`${FLAGS_PATH}/`)) {
      // The rollout handler routes from its own root, as under Express's app.use('/flags', ...).
      req.url = path.slice(FLAGS_PATH.length);
      flags(req, res);
      return;
    }
    app(req, res);
  });
  // The dashboard's event streams end with the app.
  server.on('close', () => void flags.close());
  return server;
}
