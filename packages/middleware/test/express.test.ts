import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { flagsMiddleware, requireFlag } from '../src/express.js';
import { type Running, runMiddlewareTests } from './scenario.js';

async function listen(app: express.Express): Promise<Running> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

runMiddlewareTests('express', {
  start({ rollout, user }) {
    const app = express();
    app.use(
      flagsMiddleware({
        rollout,
        user: (req) => user(new Headers(req.headers as Record<string, string>)),
      }),
    );
    app.get('/flags', (req, res) => {
      res.json({
        beta: req.flags.can('beta'),
        color: req.flags.value('color', 'none'),
        all: req.flags.all(),
        user: req.flags.user,
      });
    });
    app.get('/beta', requireFlag('beta'), (_req, res) => {
      res.json({ ok: true });
    });
    app.get(
      '/custom',
      requireFlag('beta', { onDisabled: (_req, res) => res.status(403).json({ denied: true }) }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    return listen(app);
  },
  startWithoutFlags() {
    const app = express();
    app.get('/beta', requireFlag('beta'), (_req, res) => {
      res.json({ ok: true });
    });
    return listen(app);
  },
});

describe('express: options', () => {
  it('a missing rollout or user function fails when the middleware is built', () => {
    expect(() => flagsMiddleware({ rollout: undefined as never, user: () => ({}) })).toThrow(
      /rollout/,
    );
    expect(() => flagsMiddleware({ rollout: { can() {} } as never, user: 1 as never })).toThrow(
      /user/,
    );
    expect(() => requireFlag('')).toThrow();
  });
});
