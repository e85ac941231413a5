import { ValidationError } from '@rollout/core';

/** The environment banner the dashboard shows on every page. */
export interface EnvironmentBanner {
  /** Text, e.g. "production". */
  name: string;
  /** Any CSS colour (`#b91c1c`, `crimson`); default a neutral grey. */
  color?: string;
}

/** Options of the admin JSON API and the dashboard (`admin` in createRolloutServer). */
export interface AdminOptions {
  /**
   * Tokens that may use the admin API and change flags, sent like evaluation tokens
   * (`Authorization: Bearer` or `X-API-Key`). The evaluation `tokens` never grant admin
   * access: browsers carry those. Without admin tokens and an `authorize` hook, the
   * admin API answers only when no credentials are configured at all, and then only
   * clients on this machine.
   */
  tokens?: readonly string[];
  /** Refuse every write (403 READ_ONLY), whatever the caller may do. Default false. */
  readOnly?: boolean;
  /** Banner shown on every dashboard page. */
  environment?: EnvironmentBanner;
  /** Serve the dashboard at `/` (the API stays). Default true. */
  dashboard?: boolean;
}

/** Admin options after checks. */
export interface AdminSettings {
  tokens: readonly string[];
  readOnly: boolean;
  environment: EnvironmentBanner | undefined;
  dashboard: boolean;
}

// A colour goes into a style attribute: allow the CSS colour syntaxes, nothing that could close the attribute or start a url().
const COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9., %]{1,40}\))$/;

/** Checks the `admin` option; undefined when the admin API is turned off. */
export function adminSettings(admin: AdminOptions | false | undefined): AdminSettings | undefined {
  if (admin === false) return undefined;
  const options = admin ?? {};
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('admin', admin, 'must be an object or false');
  }
  const tokens = options.tokens ?? [];
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string' && t.length > 0)) {
    throw new ValidationError('admin.tokens', tokens, 'must be a list of non-empty strings');
  }
  const env = options.environment;
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || typeof env.name !== 'string' || !env.name) {
      throw new ValidationError('admin.environment', env, 'must be { name, color? }');
    }
    if (env.color !== undefined && (typeof env.color !== 'string' || !COLOR.test(env.color))) {
      throw new ValidationError('admin.environment.color', env.color, 'must be a CSS colour');
    }
  }
  return {
    tokens: [...tokens],
    readOnly: options.readOnly === true,
    environment: env === undefined ? undefined : { ...env },
    dashboard: options.dashboard !== false,
  };
}
