import type { Feature, Rollout } from '@rollout/core';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { AdminEnv } from './admin-access.js';
import { adminError } from './admin-errors.js';
import { noteOf, readObject, take, versionOf } from './request-body.js';

/**
 * The part of a client that keeps change history (issue 12), typed by shape so
 * these routes light up as soon as the client has it: `history(name?, { limit,
 * before })` lists entries newest first, `restore(name, version, { actor, note })`
 * writes an earlier version back as a new write.
 */
export interface HistoryClient {
  history(name?: string, options?: { limit?: number; before?: number }): Promise<unknown[]>;
  restore(
    name: string,
    version: number,
    options?: { actor?: string; note?: string },
  ): Promise<Feature>;
}

/**
 * The client's history half, or undefined while the client has none or its store
 * keeps no history (`capabilities.history`).
 */
export function historyOf(rollout: Rollout): HistoryClient | undefined {
  const candidate = rollout as unknown as Partial<HistoryClient>;
  const kept = rollout.store.capabilities?.history;
  return typeof candidate.history === 'function' &&
    typeof candidate.restore === 'function' &&
    kept !== false
    ? (candidate as HistoryClient)
    : undefined;
}

/**
 * `GET /features/{name}/history?limit=&before=` → `{ entries }`, newest first, and
 * `POST /features/{name}/restore` `{ version, note? }` → the feature as restored
 * (a write like any other: compare-and-set, recorded with the caller as actor).
 * 501 NOT_SUPPORTED while the client (or its store) keeps no history.
 */
export function historyRoutes(
  rollout: Rollout,
  mayWrite: MiddlewareHandler<AdminEnv>,
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const unsupported = (c: Context<AdminEnv>) =>
    adminError(c, 501, 'NOT_SUPPORTED', 'this rollout client or its store keeps no change history');

  app.get('/features/:name/history', async (c) => {
    const history = historyOf(rollout);
    if (!history) return unsupported(c);
    const limitText = c.req.query('limit');
    const beforeText = c.req.query('before');
    const options: { limit?: number; before?: number } = {};
    if (limitText !== undefined) options.limit = versionOf('limit', limitText);
    if (beforeText !== undefined) options.before = versionOf('before', beforeText);
    const entries = await history.history(c.req.param('name'), options);
    return c.json({ entries });
  });

  app.post('/features/:name/restore', mayWrite, async (c) => {
    const history = historyOf(rollout);
    if (!history) return unsupported(c);
    const body = await readObject(c);
    const version = versionOf('version', take(body, 'version'));
    const note = noteOf(body);
    const { actor } = c.get('caller');
    const feature = await history.restore(
      c.req.param('name'),
      version,
      note === undefined ? { actor } : { actor, note },
    );
    return c.json(feature);
  });
  return app;
}
