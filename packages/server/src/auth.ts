import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ServerEnv } from './env.js';
import { jsonError } from './json-errors.js';
import { isLoopbackAddress } from './loopback.js';
import { hasAuth, type ServerSettings } from './options.js';

/** The credential a request presents: `Authorization: Bearer <t>` or `X-API-Key: <t>`. */
export function presentedToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const key = c.req.header('x-api-key');
  return key ? key.trim() : undefined;
}

/** Compares in constant time, so the reply's timing tells nothing about how much of a token matched. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `token` equals one of `accepted`, each compared in constant time. */
function isListed(accepted: readonly Buffer[], token: string): boolean {
  const presented = Buffer.from(token);
  let found = false;
  // Every listed token is compared (no early exit), so timing does not say which one matched.
  for (const t of accepted) {
    if (t.length === presented.length && timingSafeEqual(t, presented)) found = true;
  }
  return found;
}

/**
 * The gate in front of evaluation. With tokens or an `authorize` hook: a listed
 * token passes, otherwise the hook decides; refused without a credential → 401,
 * with one → 403 (a wrong token is 401: invalid credentials). Without any: only
 * requests known to come from this machine pass (closed by default), because
 * nothing else would stop the whole network from reading every flag.
 * `alsoAccept` lets a route take another proof (the event stream's signed ticket).
 */
export function requireAuth(
  settings: ServerSettings,
  alsoAccept?: (c: Context<ServerEnv>) => boolean,
): MiddlewareHandler<ServerEnv> {
  const secured = hasAuth(settings);
  // Encoded once here, not once per request and token.
  const accepted = settings.tokens.map((t) => Buffer.from(t));
  return async (c, next) => {
    if (alsoAccept?.(c)) return next();
    if (!secured) {
      if (isLoopbackAddress(c.env?.remoteAddress)) return next();
      return jsonError(
        c,
        403,
        'FORBIDDEN',
        'no token is configured, so this server answers only clients on this machine; configure tokens (or an authorize hook)',
      );
    }
    const token = presentedToken(c);
    if (token !== undefined && isListed(accepted, token)) return next();
    if (settings.authorize && (await settings.authorize({ request: c.req.raw, token }))) {
      return next();
    }
    if (token === undefined || !settings.authorize) {
      c.header('WWW-Authenticate', 'Bearer');
      return jsonError(
        c,
        401,
        'UNAUTHORIZED',
        token === undefined
          ? 'send a token as Authorization: Bearer <token> or X-API-Key: <token>'
          : 'the token is not valid',
      );
    }
    return jsonError(c, 403, 'FORBIDDEN', 'this credential may not evaluate flags');
  };
}
