import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { flagsMiddleware, requireFlag } from '../src/hono.js';
import { type Running, runMiddlewareTests } from './scenario.js';

async function listen(app: Hono): Promise<Running> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

runMiddlewareTests('hono', {
  start({ rollout, user }) {
    const app = new Hono();
    app.use(flagsMiddleware({ rollout, user: (c) => user(c.req.raw.headers) }));
    app.get('/flags', (c) => {
      const flags = c.get('flags');
      return c.json({
        beta: flags.can('beta'),
        color: flags.value('color', 'none'),
        all: flags.all(),
        user: flags.user,
      });
    });
    app.get('/beta', requireFlag('beta'), (c) => c.json({ ok: true }));
    app.get(
      '/custom',
      requireFlag('beta', { onDisabled: (c) => c.json({ denied: true }, 403) }),
      (c) => c.json({ ok: true }),
    );
    return listen(app);
  },
  startWithoutFlags() {
    const app = new Hono();
    app.onError((error, c) => c.json({ code: 'ERROR', message: error.message }, 500));
    app.get('/beta', requireFlag('beta'), (c) => c.json({ ok: true }));
    return listen(app);
  },
});
