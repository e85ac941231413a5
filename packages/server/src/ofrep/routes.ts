import type { Rollout } from '@rollout/core';
import { type FeatureCatalog, resolveAll, resolveFlag } from '@rollout/openfeature/evaluation';
import { Hono } from 'hono';
import type { ServerEnv } from '../env.js';
import type { EventStreams } from '../event-stream.js';
import { TICKET_PARAM } from '../event-stream.js';
import { jsonError, methodNotAllowed } from '../json-errors.js';
import { bodyEtag, etagMatches } from './etag.js';
import { ofrepEvaluation } from './evaluation-body.js';
import { readEvaluationRequest } from './request-body.js';

/** Where the pieces the OFREP routes need come from. */
export interface OfrepDeps {
  rollout: Rollout;
  catalog: FeatureCatalog;
  events: EventStreams;
  /** Whether stream URLs need a ticket (credentials are configured). */
  tickets: boolean;
  /** The handler's mount path, for the stream URL. */
  basePath: string;
}

const NOT_READY = 'the flag snapshot is not loaded yet; retry shortly';

/**
 * OFREP 0.3 under `/ofrep/v1`: `POST evaluate/flags/{key}` (single), `POST
 * evaluate/flags` (bulk, with ETag / 304 and `eventStreams`), `GET events` (the SSE
 * stream). Everything answers from the client's in-memory snapshot.
 */
export function ofrepRoutes(deps: OfrepDeps): Hono<ServerEnv> {
  const { rollout, catalog, events } = deps;
  const app = new Hono<ServerEnv>();

  app.post('/evaluate/flags/:key', async (c) => {
    const key = c.req.param('key');
    const user = await readEvaluationRequest(c);
    if (!rollout.isReady) {
      c.header('Retry-After', '1');
      return jsonError(c, 503, 'GENERAL', NOT_READY, { key });
    }
    const { status, body } = ofrepEvaluation(resolveFlag(rollout, catalog, user, key));
    return c.json(body, status);
  });
  app.all('/evaluate/flags/:key', methodNotAllowed('POST'));

  app.post('/evaluate/flags', async (c) => {
    const user = await readEvaluationRequest(c);
    if (!rollout.isReady) {
      c.header('Retry-After', '1');
      return jsonError(c, 503, 'GENERAL', NOT_READY);
    }
    // rollout.allFlags: the same answers as the page bootstrap and req.flags.all().
    const flags = resolveAll(rollout, catalog, user).map((r) => ofrepEvaluation(r).body);
    const query = deps.tickets ? `?${TICKET_PARAM}=${events.ticket()}` : '';
    const body = JSON.stringify({
      flags,
      eventStreams: [
        {
          type: 'sse',
          endpoint: { requestUri: `${deps.basePath}/ofrep/v1/events${query}` },
          inactivityDelaySec: 120,
        },
      ],
    });
    const etag = bodyEtag(body);
    c.header('ETag', etag);
    c.header('Cache-Control', 'no-cache');
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    c.header('Content-Type', 'application/json; charset=utf-8');
    return c.body(body, 200);
  });
  app.all('/evaluate/flags', methodNotAllowed('POST'));

  app.get('/events', (c) => events.open(c));
  app.all('/events', methodNotAllowed('GET'));
  return app;
}
