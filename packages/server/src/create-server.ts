import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { FeatureCatalog } from '@rollout/openfeature/evaluation';
import type { Hono } from 'hono';
import { buildApp } from './app.js';
import type { ServerEnv } from './env.js';
import { EventStreams } from './event-stream.js';
import { hasAuth, type RolloutServerOptions, serverSettings } from './options.js';

/** What `fetch` may be told about the request beside the request itself. */
export interface FetchInfo {
  /** The peer's address. Without tokens the server answers only loopback peers, so give it when you know it. */
  remoteAddress?: string;
}

/**
 * The rollout HTTP server as a handler: call it as a node:http `(req, res)` listener
 * (node:http, Express, Fastify's `.raw`, Connect), or use `fetch(request)` where a
 * Fetch-API handler is wanted (Hono, Bun, Deno, tests).
 */
export interface RolloutServer {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Answers a Fetch-API request. */
  fetch(request: Request, info?: FetchInfo): Promise<Response>;
  /** Ends the event streams and stops following the client; the client itself stays open (it is yours). */
  close(): Promise<void>;
  /** Whether tokens or an authorize hook are configured (without: loopback clients only). */
  readonly authenticated: boolean;
  /** Open event-stream connections. */
  readonly eventStreamCount: number;
  /** The router, for mounting more routes (Hono). */
  readonly app: Hono<ServerEnv>;
}

/**
 * Creates the server: OFREP 0.3 single and bulk evaluation (`/ofrep/v1/...`), its
 * SSE event stream, and `GET /healthz`, all answered from `rollout`'s in-memory
 * snapshot with no store I/O per request.
 *
 * Closed by default: give `tokens` (Bearer or X-API-Key) or an `authorize` hook;
 * without them only clients on this machine are answered.
 */
export function createRolloutServer(options: RolloutServerOptions): RolloutServer {
  const settings = serverSettings(options);
  const catalog = new FeatureCatalog(settings.rollout);
  const events = new EventStreams(catalog, settings.heartbeatMs, settings.eventStreamSecret);
  const app = buildApp(settings, { rollout: settings.rollout, catalog, events });

  const fetch = async (request: Request, info: FetchInfo = {}): Promise<Response> =>
    app.fetch(request, { remoteAddress: info.remoteAddress });

  const listener = getRequestListener(
    (request, env) => app.fetch(request, { remoteAddress: env.incoming.socket?.remoteAddress }),
    {
      // Leave the app's global Request/Response alone: this is a library inside someone's process.
      overrideGlobalObjects: false,
      errorHandler: (error) => {
        settings.onError(error);
        return new Response(
          JSON.stringify({ errorCode: 'GENERAL', errorDetails: 'internal server error' }),
          {
            status: 500,
            headers: { 'Content-Type': 'application/json' },
          },
        );
      },
    },
  );
  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    void listener(req, res);
  }) as RolloutServer;

  let closing: Promise<void> | undefined;
  Object.defineProperties(handler, {
    fetch: { value: fetch },
    app: { value: app },
    authenticated: { value: hasAuth(settings) },
    eventStreamCount: { get: () => events.size },
    close: {
      value: () => {
        closing ??= events.close().then(() => catalog.close());
        return closing;
      },
    },
  });
  return handler;
}
