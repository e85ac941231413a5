import { Rollout, type User } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A running app of one framework, on a free loopback port. */
export interface Running {
  url: string;
  close(): Promise<void>;
}

/** The request's user as every test app maps it: header `x-user` is the id. */
export type UserOf<Req> = (req: Req) => User | Promise<User>;

/**
 * What a framework's test builds, with the same routes in each:
 * - `GET /flags`  `{ beta: can('beta'), color: value('color', 'none'), all: all(), user }`
 * - `GET /beta`   behind `requireFlag('beta')`, answers `{ ok: true }`
 * - `GET /custom` behind `requireFlag('beta', { onDisabled })`, which answers 403 `{ denied: true }`
 */
export interface Harness {
  start(options: {
    rollout: Rollout;
    user: (headers: Headers) => User | Promise<User>;
  }): Promise<Running>;
  /** `GET /beta` behind `requireFlag('beta')` with no flags middleware installed. */
  startWithoutFlags(): Promise<Running>;
}

/** The same behaviour, pinned over real HTTP for every framework. */
export function runMiddlewareTests(framework: string, harness: Harness): void {
  describe(`${framework}: request-scoped flags`, () => {
    let rollout: Rollout;
    let app: Running;
    let calls = 0;
    let asyncUser = false;

    beforeAll(async () => {
      rollout = new Rollout({ store: new MemoryStore() });
      await rollout.ready();
      await rollout.addFeature({ name: 'beta', users: [1] });
      await rollout.addFeature({
        name: 'color',
        groups: ['ALL'],
        variants: [{ name: 'red', value: '#f00', weight: 100 }],
      });
      app = await harness.start({
        rollout,
        user: (headers) => {
          calls++;
          if (headers.get('x-user') === 'boom') throw new Error('no session store');
          const user = { id: Number(headers.get('x-user') ?? 0) };
          return asyncUser ? Promise.resolve(user) : user;
        },
      });
    });
    afterAll(async () => {
      await app?.close();
      await rollout?.close();
    });

    const get = (path: string, user?: number) =>
      fetch(`${app.url}${path}`, { headers: user === undefined ? {} : { 'x-user': String(user) } });

    it('answers can / value / all for the request’s user, mapping it once', async () => {
      calls = 0;
      const res = await get('/flags', 1);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toEqual({
        beta: true,
        color: '#f00',
        all: JSON.parse(JSON.stringify(rollout.allFlags({ id: 1 }))),
        user: { id: 1 },
      });
      expect(calls).toBe(1);
      const other = (await (await get('/flags', 2)).json()) as {
        beta: boolean;
        all: Record<string, unknown>;
      };
      expect(other.beta).toBe(false);
      expect(other.all.beta).toEqual({ enabled: false, reason: 'DEFAULT' });
    });

    it('takes an async user function', async () => {
      asyncUser = true;
      try {
        const body = (await (await get('/flags', 1)).json()) as { beta: boolean };
        expect(body.beta).toBe(true);
      } finally {
        asyncUser = false;
      }
    });

    it('a user function that throws fails the request (500)', async () => {
      expect((await fetch(`${app.url}/flags`, { headers: { 'x-user': 'boom' } })).status).toBe(500);
    });

    it('requireFlag: passes when on, 404 JSON when off', async () => {
      const on = await get('/beta', 1);
      expect(on.status).toBe(200);
      expect(await on.json()).toEqual({ ok: true });
      const off = await get('/beta', 2);
      expect(off.status).toBe(404);
      expect(off.headers.get('content-type')).toMatch(/application\/json/);
      expect(await off.json()).toEqual({ code: 'NOT_FOUND', message: 'Not Found' });
    });

    it('requireFlag: a custom handler answers when off', async () => {
      expect((await get('/custom', 1)).status).toBe(200);
      const off = await get('/custom', 2);
      expect(off.status).toBe(403);
      expect(await off.json()).toEqual({ denied: true });
    });

    it('follows changes at once: the next request sees a write', async () => {
      await rollout.activateUser('beta', 3);
      expect((await get('/beta', 3)).status).toBe(200);
      await rollout.deactivateUser('beta', 3);
      expect((await get('/beta', 3)).status).toBe(404);
    });

    it('requireFlag without the flags middleware is a server error, not a silent pass', async () => {
      const bare = await harness.startWithoutFlags();
      try {
        expect((await fetch(`${bare.url}/beta`)).status).toBe(500);
      } finally {
        await bare.close();
      }
    });
  });
}
