import Fastify, { type FastifyInstance } from 'fastify';
import { flagsPlugin, requireFlag } from '../src/fastify.js';
import { type Running, runMiddlewareTests } from './scenario.js';

async function listen(app: FastifyInstance): Promise<Running> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

runMiddlewareTests('fastify', {
  async start({ rollout, user }) {
    const app = Fastify();
    await app.register(flagsPlugin, {
      rollout,
      user: (request) => user(new Headers(request.headers as Record<string, string>)),
    });
    app.get('/flags', async (request) => ({
      beta: request.flags.can('beta'),
      color: request.flags.value('color', 'none'),
      all: request.flags.all(),
      user: request.flags.user,
    }));
    app.get('/beta', { preHandler: requireFlag('beta') }, async () => ({ ok: true }));
    app.get(
      '/custom',
      {
        preHandler: requireFlag('beta', {
          onDisabled: (_request, reply) => reply.code(403).send({ denied: true }),
        }),
      },
      async () => ({ ok: true }),
    );
    return listen(app);
  },
  startWithoutFlags() {
    const app = Fastify();
    app.get('/beta', { preHandler: requireFlag('beta') }, async () => ({ ok: true }));
    return listen(app);
  },
});
