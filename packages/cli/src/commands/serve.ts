import { createRolloutServer, listen } from '@rollout/server';
import { usageError } from '../cli-error.js';
import type { Command } from '../command.js';

function parsePort(text: string | boolean | string[] | undefined): number {
  if (text === undefined) return 8080;
  const port = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || port > 65_535) {
    throw usageError(`--port must be a number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** `--environment NAME[:COLOR]` → the dashboard's banner. */
function parseEnvironment(
  text: string | boolean | string[] | undefined,
): { name: string; color?: string } | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const at = text.lastIndexOf(':');
  if (at <= 0) return { name: text };
  return { name: text.slice(0, at), color: text.slice(at + 1) };
}

/** `rollout serve`: the OFREP evaluation server, the admin API and the dashboard as a process. */
export const serveCommand: Command = {
  name: 'serve',
  summary:
    'Serve flag evaluation (OpenFeature OFREP), the admin API and the dashboard until stopped',
  usage: [
    'serve [--port 8080] [--host 127.0.0.1] [--token T] [--admin-token A] [--read-only] [--environment NAME[:COLOR]] [--cors ORIGINS]',
  ],
  description:
    'Serves the OpenFeature Remote Evaluation Protocol (POST /ofrep/v1/evaluate/flags[/KEY], an SSE event stream) and GET /healthz from the store\'s features kept in memory; changes from any process reach clients as they arrive. Clients send the token as "Authorization: Bearer T" or "X-API-Key: T" (--token, or ROLLOUT_SERVER_TOKEN). Without a token it only listens on loopback and answers local clients. The dashboard is at / and the admin JSON API under /api: with --admin-token (or ROLLOUT_ADMIN_TOKEN) they ask for that token (the dashboard has a sign-in form); with no token at all they answer this machine only, read-write unless --read-only; an evaluation --token alone never opens them. Prints "listening on http://HOST:PORT" once it accepts connections; SIGTERM or Ctrl-C stops it cleanly (exit 0).',
  args: { min: 0, max: 0 },
  options: {
    port: {
      type: 'string',
      short: 'p',
      value: 'PORT',
      help: 'port to listen on (default 8080; 0 picks one)',
    },
    host: { type: 'string', value: 'HOST', help: 'interface to bind (default 127.0.0.1)' },
    token: {
      type: 'string',
      value: 'T',
      help: 'token clients must send (or ROLLOUT_SERVER_TOKEN)',
    },
    cors: {
      type: 'string',
      value: 'ORIGINS',
      help: 'comma-separated browser origins allowed to call, or *',
    },
    'admin-token': {
      type: 'string',
      value: 'A',
      help: 'token for the dashboard and admin API (or ROLLOUT_ADMIN_TOKEN)',
    },
    'read-only': { type: 'boolean', help: 'the dashboard and admin API refuse every change' },
    environment: {
      type: 'string',
      value: 'NAME[:COLOR]',
      help: 'banner on every dashboard page, e.g. production:#b91c1c',
    },
  },
  examples: [
    'serve --store redis://localhost:6379',
    'serve --store postgres://db/flags --host 0.0.0.0 --port 8080 --token "$FLAGS_TOKEN"',
    'serve --store file:./flags.json --cors https://app.example.com',
    'serve --store redis://prod-redis:6379 --host 0.0.0.0 --token "$EVAL_TOKEN" --admin-token "$ADMIN_TOKEN" --environment production:#b91c1c',
  ],
  unbounded: true,
  async run(ctx, _args, options) {
    const port = parsePort(options.port);
    const host = typeof options.host === 'string' ? options.host : '127.0.0.1';
    const token = typeof options.token === 'string' ? options.token : ctx.env.ROLLOUT_SERVER_TOKEN;
    const cors =
      typeof options.cors === 'string'
        ? options.cors
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean)
        : [];
    const adminToken =
      typeof options['admin-token'] === 'string'
        ? options['admin-token']
        : ctx.env.ROLLOUT_ADMIN_TOKEN;
    const environment = parseEnvironment(options.environment);
    const rollout = await ctx.client();
    const server = createRolloutServer({
      rollout,
      tokens: token ? [token] : [],
      cors,
      admin: {
        tokens: adminToken ? [adminToken] : [],
        readOnly: options['read-only'] === true,
        ...(environment ? { environment } : {}),
      },
      onError: (error) =>
        ctx.out.warn(`request failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    const listening = await listen(server, { host, port });
    try {
      if (!token) ctx.out.note('no token: answering clients on this machine only');
      ctx.out.line(`listening on ${listening.url}`);
      if (adminToken || !token) {
        ctx.out.note(
          `dashboard at ${listening.url}/${options['read-only'] === true ? ' (read-only)' : ''}`,
        );
      }
      rollout.on('stale', ({ error }) =>
        ctx.out.warn(`lost the store (${error.message}); serving the last snapshot`),
      );
      rollout.on('fresh', () => ctx.out.note('store reachable again; resynced'));
      await ctx.interrupted();
      ctx.out.note('stopping');
    } finally {
      await listening.close();
    }
    return undefined;
  },
};
