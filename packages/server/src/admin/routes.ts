import {
  type Feature,
  type FeatureInput,
  type FeaturePatch,
  isRolloutError,
  OPERATORS,
  type Rollout,
  SINGLE_VALUE_OPERATORS,
  type User,
  ValidationError,
  validateFeatureName,
} from '@rollout/core';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EventStreams } from '../event-stream.js';
import { TICKET_PARAM } from '../event-stream.js';
import { hasAuth, type ServerSettings } from '../options.js';
import { type AdminEnv, adminAccess, mayWrite, sameOriginWrites } from './admin-access.js';
import { adminError, errorResponse } from './admin-errors.js';
import type { AdminSettings } from './admin-options.js';
import { type FeatureState, matchesQuery, summarize } from './feature-state.js';
import { historyOf, historyRoutes } from './history-routes.js';
import { noteOf, readObject, take, versionOf } from './request-body.js';
import { attributedWriter, type WriteAttribution } from './writes.js';

/** What the admin routes are built from. */
export interface AdminDeps {
  settings: ServerSettings;
  admin: AdminSettings;
  rollout: Rollout;
  events: EventStreams;
}

const STATES: readonly FeatureState[] = ['on', 'off', 'partial'];

function attribution(c: Context<AdminEnv>, note: string | undefined): WriteAttribution {
  const { actor } = c.get('caller');
  return note === undefined ? { actor } : { actor, note };
}

function userOf(value: unknown): User {
  if (typeof value === 'string' || typeof value === 'number') return { id: value };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('user', value, 'must be a user object like {"id": "42"} or an id');
  }
  return value as User;
}

function method(allow: string) {
  return (c: Context<AdminEnv>) => {
    c.header('Allow', allow);
    return adminError(
      c,
      405,
      'METHOD_NOT_ALLOWED',
      `${c.req.method} is not allowed here; use ${allow}`,
    );
  };
}

/**
 * The admin JSON API (mounted under `/api`): list and search, read, create,
 * change any gate with an optional `expectedVersion` (409 with the current feature
 * when someone else changed it), remove, explain, history and restore. Every write
 * is one of the client's compare-and-set mutations, attributed to the caller.
 * Errors are `{ code, message, field? }` with core's codes.
 */
export function adminRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const { settings, admin, rollout, events } = deps;
  const writer = attributedWriter(rollout);
  const app = new Hono<AdminEnv>();
  const writes = mayWrite(admin);

  app.onError((error, c) => errorResponse(c, error, settings.onError));
  app.use('*', async (c, next) => {
    await next();
    // Answers depend on who asks, and flags change: no cache may keep them.
    c.header('Cache-Control', 'no-store');
    c.header('Vary', 'Authorization, X-API-Key, Cookie', { append: true });
  });
  app.use('*', adminAccess(settings, admin));
  app.use(
    '*',
    bodyLimit({
      maxSize: settings.bodyLimit,
      onError: (c) =>
        adminError(
          c,
          413,
          'PAYLOAD_TOO_LARGE',
          `the body is larger than ${settings.bodyLimit} bytes`,
        ),
    }),
  );
  app.use('*', sameOriginWrites());

  app.get('/session', (c) => {
    const caller = c.get('caller');
    const query = hasAuth(settings) ? `?${TICKET_PARAM}=${events.ticket()}` : '';
    return c.json({
      actor: caller.actor,
      canWrite: caller.canWrite,
      readOnly: admin.readOnly,
      environment: admin.environment ?? null,
      eventStream: `${settings.basePath}/ofrep/v1/events${query}`,
      history: historyOf(rollout) !== undefined,
      operators: OPERATORS,
      singleValueOperators: [...SINGLE_VALUE_OPERATORS],
      definedGroups: rollout.definedGroups(),
    });
  });
  app.all('/session', method('GET'));

  app.get('/features', (c) => {
    const q = c.req.query('q') ?? '';
    const state = c.req.query('state');
    if (state !== undefined && !STATES.includes(state as FeatureState)) {
      throw new ValidationError('state', state, 'must be on, off or partial');
    }
    const all = rollout.snapshot();
    const features = all
      .filter((f) => matchesQuery(f, q))
      .map(summarize)
      .filter((s) => state === undefined || s.state === state);
    return c.json({ features, total: all.length, revision: rollout.revision });
  });

  app.post('/features', writes, async (c) => {
    const body = await readObject(c);
    const note = noteOf(body);
    const feature = await writer.addFeature(body as unknown as FeatureInput, attribution(c, note));
    return c.json(feature, 201);
  });
  app.all('/features', method('GET, POST'));

  app.get('/features/:name', async (c) => {
    const name = validateFeatureName(c.req.param('name'));
    const feature = await rollout.getFeature(name);
    if (!feature) {
      return adminError(
        c,
        404,
        'FEATURE_NOT_FOUND',
        `feature ${JSON.stringify(name)} does not exist`,
      );
    }
    return c.json(feature);
  });

  app.patch('/features/:name', writes, async (c) => {
    const name = validateFeatureName(c.req.param('name'));
    const body = await readObject(c);
    const expected = take(body, 'expectedVersion');
    const note = noteOf(body);
    const options = {
      ...attribution(c, note),
      ...(expected === undefined
        ? {}
        : { expectedVersion: versionOf('expectedVersion', expected) }),
    };
    try {
      const feature = await writer.updateFeature(name, body as FeaturePatch, options);
      return c.json(feature);
    } catch (error) {
      if (!isRolloutError(error, 'VERSION_CONFLICT')) throw error;
      // The caller edited an older version: hand back what is stored now, so it can show the difference.
      const current: Feature | undefined = await rollout.getFeature(name);
      return adminError(c, 409, 'VERSION_CONFLICT', error.message, { current: current ?? null });
    }
  });

  app.delete('/features/:name', writes, async (c) => {
    const name = validateFeatureName(c.req.param('name'));
    const removed = await writer.removeFeature(name, attribution(c, undefined));
    if (!removed) {
      return adminError(
        c,
        404,
        'FEATURE_NOT_FOUND',
        `feature ${JSON.stringify(name)} does not exist`,
      );
    }
    return c.body(null, 204);
  });
  app.all('/features/:name', method('GET, PATCH, DELETE'));

  app.post('/explain', async (c) => {
    const body = await readObject(c);
    const feature = validateFeatureName(body.feature);
    return c.json(rollout.explain(userOf(body.user ?? {}), feature));
  });
  app.all('/explain', method('POST'));

  app.route('/', historyRoutes(rollout, writes));
  app.all('*', (c) =>
    adminError(c, 404, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`),
  );
  return app;
}
