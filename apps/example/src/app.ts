import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Rollout } from '@rollout/core';
import { createRolloutServer } from '@rollout/server';
import { userFromRequest } from './user.js';

/** What the handler needs: the client to ask, and a label for the store (already redacted). */
export interface AppContext {
  rollout: Rollout;
  storeLabel: string;
}

type Json = Record<string, unknown>;

function send(res: ServerResponse, status: number, body: Json): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * The example's HTTP handler. Every answer comes from `rollout.can`/`explain`,
 * synchronous reads of the local snapshot: no request waits on the store.
 *
 * - `GET /`         every flag and what the current user gets (and why)
 * - `GET /beta`     403 unless `new_dashboard` is on for the user
 * - `GET /checkout` the checkout variant: `v2` for users in `checkout_v2`'s percentage
 * - `GET /health`   the client's status (ready, stale) and snapshot revision
 */
export function handle(context: AppContext, req: IncomingMessage, res: ServerResponse): void {
  const { rollout } = context;
  const url = new URL(req.url ?? '/', 'http://example.invalid');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, { error: 'method not allowed' });
    return;
  }
  const user = userFromRequest(url.searchParams, req.headers);
  switch (url.pathname) {
    case '/': {
      const flags = rollout.snapshot().map((feature) => {
        const why = rollout.explain(user, feature.name);
        return {
          name: feature.name,
          description: feature.description,
          enabled: why.enabled,
          reason: why.reason,
        };
      });
      const body: Json = {
        user,
        store: context.storeLabel,
        status: rollout.status,
        revision: rollout.revision,
        flags,
        try: ['/beta?user=123', '/beta?user=5&groups=vip', '/checkout?user=42', '/?country=NZ'],
      };
      if (rollout.can(user, 'nz_banner'))
        body.banner = 'Kia ora! Free shipping across New Zealand.';
      send(res, 200, body);
      return;
    }
    case '/beta': {
      // The FooHandler pattern: deny unless the flag is on for this user.
      const why = rollout.explain(user, 'new_dashboard');
      if (!why.enabled) {
        send(res, 403, {
          error: 'forbidden',
          feature: 'new_dashboard',
          reason: why.reason,
          hint: 'try ?user=123 or ?groups=vip',
        });
        return;
      }
      send(res, 200, {
        page: 'new dashboard',
        welcome: `Welcome to the beta, user ${user.id ?? 'anonymous'}`,
        reason: why.reason,
      });
      return;
    }
    case '/checkout': {
      const why = rollout.explain(user, 'checkout_v2');
      const feature = rollout.snapshot().find((f) => f.name === 'checkout_v2');
      const v2 = typeof feature?.data.variant === 'string' ? feature.data.variant : 'v2';
      send(res, 200, {
        variant: why.enabled ? v2 : 'classic',
        reason: why.reason,
        bucket: why.bucket,
        percentage: why.percentage,
      });
      return;
    }
    case '/health': {
      const healthy = rollout.status === 'ready';
      send(res, healthy ? 200 : 503, { status: rollout.status, revision: rollout.revision });
      return;
    }
    default:
      send(res, 404, {
        error: 'not found',
        paths: ['/', '/beta', '/checkout', '/health', '/flags/'],
      });
  }
}

/** Where the app mounts rollout's dashboard, admin API and OFREP endpoints. */
export const FLAGS_PATH = '/flags';

/**
 * An HTTP server running {@link handle}, with `@rollout/server` mounted at
 * `/flags`: the dashboard at `/flags/`, the admin API under `/flags/api`, OFREP
 * under `/flags/ofrep/v1`. Without credentials it answers this machine only
 * (read-write), so the example never opens its flags to the network. Not listening yet.
 */
export function createApp(context: AppContext): Server {
  const flags = createRolloutServer({
    rollout: context.rollout,
    basePath: FLAGS_PATH,
    admin: { environment: { name: 'example app', color: '#0f766e' } },
  });
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
    try {
      handle(context, req, res);
    } catch (error) {
      // `can`/`explain` never throw; this guards the example's own code.
      send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  // The dashboard's event streams end with the app.
  server.on('close', () => void flags.close());
  return server;
}
