import { type Rollout, ValidationError } from '@rollout/core';
import type { AdminOptions } from './admin/admin-options.js';

/** What an `authorize` hook is told about a request. */
export interface AuthorizeRequest {
  /** The request (a Fetch-API Request, also when served through node:http). */
  request: Request;
  /** The credential presented (`Authorization: Bearer …` or `X-API-Key`), if any. */
  token: string | undefined;
}

/**
 * What an `authorize` hook grants on the admin API and dashboard: who is asking
 * (recorded as the actor of their writes) and whether they may change flags.
 */
export interface AdminGrant {
  /** Who is asking, e.g. an email; shown in the dashboard and recorded with writes. */
  actor: string;
  /** Whether this caller may change flags (read-only mode overrides it). */
  canWrite: boolean;
}

/**
 * Decides whether a request may in: true lets it evaluate flags (OFREP) only; an
 * {@link AdminGrant} lets it evaluate and use the admin API (`/api`, the dashboard);
 * false or null answers 401 (no credential presented) or 403 (a credential the hook refused).
 */
export type Authorize = (
  input: AuthorizeRequest,
) => boolean | AdminGrant | null | Promise<boolean | AdminGrant | null>;

/** Options of {@link createRolloutServer}. */
export interface RolloutServerOptions {
  /** The client whose local snapshot answers every evaluation (no store I/O per request). */
  rollout: Rollout;
  /** Accepted credentials, sent as `Authorization: Bearer <token>` or `X-API-Key: <token>`. */
  tokens?: readonly string[];
  /** Decides requests that present no listed token (or every request, without `tokens`). */
  authorize?: Authorize;
  /** Browser origins allowed to call (`https://app.example.com`), or `['*']` for any. Default: none. */
  cors?: readonly string[];
  /** Largest request body in bytes; bigger ones get 413. Default 65536. */
  bodyLimit?: number;
  /**
   * Secret that signs the event-stream tickets handed out in `eventStreams` (a browser's
   * EventSource cannot send headers). Give every replica behind one load balancer the
   * same secret; default: random per server.
   */
  eventStreamSecret?: string;
  /** Where the handler is mounted (`/flags` when an app routes `/flags/*` to it), for the event-stream URL. Default ''. */
  basePath?: string;
  /** Seconds between keep-alive comments on event streams. Default 25. */
  heartbeatSeconds?: number;
  /** Receives errors the server answered with a 500 (a throwing `authorize`, a bug). Default: console.error. */
  onError?: (error: unknown) => void;
  /** The admin JSON API (`/api`) and the dashboard (`/`); `false` turns both off. See AdminOptions. */
  admin?: AdminOptions | false;
}

/** Options after checks, with defaults. */
export interface ServerSettings {
  rollout: Rollout;
  tokens: readonly string[];
  authorize: Authorize | undefined;
  cors: readonly string[];
  bodyLimit: number;
  eventStreamSecret: string | undefined;
  basePath: string;
  heartbeatMs: number;
  onError: (error: unknown) => void;
  admin: AdminOptions | false | undefined;
}

function stringList(field: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new ValidationError(field, value, 'must be a list of non-empty strings');
  }
  return [...value];
}

function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, value, 'must be a positive number');
  }
  return value;
}

/** Checks the options of createRolloutServer; throws ValidationError naming the bad one. */
export function serverSettings(options: RolloutServerOptions): ServerSettings {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options', options, 'must be an object with a rollout client');
  }
  const { rollout } = options;
  if (!rollout || typeof rollout.explain !== 'function' || typeof rollout.on !== 'function') {
    throw new ValidationError('rollout', rollout, 'must be a Rollout client');
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new ValidationError('authorize', options.authorize, 'must be a function');
  }
  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || (basePath !== '' && !/^\/[^?#]*[^/?#]$/.test(basePath))) {
    throw new ValidationError('basePath', basePath, 'must be "" or a path like /flags');
  }
  if (options.eventStreamSecret !== undefined && typeof options.eventStreamSecret !== 'string') {
    throw new ValidationError('eventStreamSecret', options.eventStreamSecret, 'must be a string');
  }
  return {
    rollout,
    tokens: stringList('tokens', options.tokens),
    authorize: options.authorize,
    cors: stringList('cors', options.cors),
    bodyLimit: Math.floor(positive('bodyLimit', options.bodyLimit, 65_536)),
    eventStreamSecret: options.eventStreamSecret,
    basePath,
    heartbeatMs: positive('heartbeatSeconds', options.heartbeatSeconds, 25) * 1000,
    onError: options.onError ?? ((error) => console.error('[rollout/server]', error)),
    admin: options.admin,
  };
}

/** Whether any credential check is configured; without one the server answers loopback clients only. */
export function hasAuth(settings: ServerSettings): boolean {
  return settings.tokens.length > 0 || settings.authorize !== undefined;
}
