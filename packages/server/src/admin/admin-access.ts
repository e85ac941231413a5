import type { MiddlewareHandler } from 'hono';
import { presentedToken, sameSecret } from '../auth.js';
import type { ServerEnv } from '../env.js';
import { isLoopbackAddress, isLoopbackHost } from '../loopback.js';
import { type AdminGrant, hasAuth, type ServerSettings } from '../options.js';
import { adminError } from './admin-errors.js';
import type { AdminSettings } from './admin-options.js';

/** Who is calling the admin API, as the routes see it. */
export interface AdminCaller {
  /** Recorded as the actor of this caller's writes. */
  actor: string;
  /** False for read-only callers and in read-only mode. */
  canWrite: boolean;
}

/** The router environment of the admin routes: the server's, plus the caller. */
export interface AdminEnv extends ServerEnv {
  Variables: { caller: AdminCaller };
}

function isGrant(value: unknown): value is AdminGrant {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AdminGrant).actor === 'string' &&
    (value as AdminGrant).actor.length > 0
  );
}

/**
 * Decides who may use the admin API. An admin token → actor `admin-token`, may
 * write. Else the `authorize` hook: an `{ actor, canWrite }` grant lets the caller
 * in; `true` (evaluation only) does not. With no credentials configured at all,
 * only this machine is answered (actor `local`, may write), and only under a
 * loopback Host name, so a hostile site that rebinds its DNS name to 127.0.0.1
 * cannot reach it through the user's browser. Read-only mode takes writing away
 * from everyone.
 */
export function adminAccess(
  settings: ServerSettings,
  admin: AdminSettings,
): MiddlewareHandler<AdminEnv> {
  const open = !hasAuth(settings) && admin.tokens.length === 0;
  return async (c, next) => {
    let caller: AdminCaller | undefined;
    if (open) {
      if (!isLoopbackAddress(c.env?.remoteAddress)) {
        return adminError(
          c,
          403,
          'FORBIDDEN',
          'no credentials are configured, so the admin API answers only clients on this machine; configure admin tokens or an authorize hook',
        );
      }
      const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
      if (!isLoopbackHost(host)) {
        return adminError(
          c,
          403,
          'FORBIDDEN',
          `without credentials the admin API answers only under a loopback host name (localhost, 127.0.0.1), not ${JSON.stringify(host)}`,
        );
      }
      caller = { actor: 'local', canWrite: true };
    } else {
      const token = presentedToken(c);
      if (token !== undefined && admin.tokens.some((t) => sameSecret(t, token))) {
        caller = { actor: 'admin-token', canWrite: true };
      } else if (settings.authorize) {
        const grant = await settings.authorize({ request: c.req.raw, token });
        if (isGrant(grant)) caller = { actor: grant.actor, canWrite: grant.canWrite === true };
        else if (grant === true) {
          return adminError(
            c,
            403,
            'FORBIDDEN',
            'this credential may evaluate flags but not use the admin API (authorize returns { actor, canWrite } to grant it)',
          );
        }
      }
      if (!caller) {
        if (token === undefined) {
          c.header('WWW-Authenticate', 'Bearer');
          return adminError(
            c,
            401,
            'UNAUTHORIZED',
            'send an admin token as Authorization: Bearer <token> or X-API-Key: <token>',
          );
        }
        if (!settings.authorize) {
          c.header('WWW-Authenticate', 'Bearer');
          return adminError(c, 401, 'UNAUTHORIZED', 'the token is not a valid admin token');
        }
        return adminError(c, 403, 'FORBIDDEN', 'this credential may not use the admin API');
      }
    }
    if (admin.readOnly) caller.canWrite = false;
    c.set('caller', caller);
    await next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF protection for writes, also without auth on loopback (a hostile page open
 * in a browser on this machine must not flip flags): a write whose `Origin` is not
 * this server's own (same host and port) is refused with 403, as is one a browser
 * marks `Sec-Fetch-Site: cross-site` / `same-site`. Requests without either header
 * do not come from a browser page (curl, the CLI, other services) and pass. Bodies
 * must be JSON, which no HTML form can send across origins without a preflight.
 */
export function sameOriginWrites(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const host = c.req.header('host');
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost === undefined || originHost !== host) {
        return adminError(
          c,
          403,
          'CROSS_ORIGIN',
          `writes are accepted only from this server's own pages, not from origin ${JSON.stringify(origin)}`,
        );
      }
    } else {
      const site = c.req.header('sec-fetch-site');
      if (site === 'cross-site' || site === 'same-site') {
        return adminError(c, 403, 'CROSS_ORIGIN', `writes from a ${site} page are refused`);
      }
    }
    const type = c.req.header('content-type');
    if (c.req.method !== 'DELETE' && !/^application\/json\s*(;|$)/i.test(type ?? '')) {
      return adminError(
        c,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send the body as JSON (Content-Type: application/json)',
      );
    }
    await next();
  };
}

/** In front of every change: callers that may not write get 403 (READ_ONLY in read-only mode). */
export function mayWrite(admin: AdminSettings): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const caller = c.get('caller');
    if (!caller.canWrite) {
      return admin.readOnly
        ? adminError(c, 403, 'READ_ONLY', 'the admin API is in read-only mode')
        : adminError(c, 403, 'FORBIDDEN', `${caller.actor} may read flags but not change them`);
    }
    await next();
  };
}
