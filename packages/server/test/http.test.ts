import { request as httpRequest } from 'node:http';
import type { Rollout } from '@rollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Listening, listen, type RolloutServer } from '../src/index.js';
import { flagsClient, post, serverFor } from './helpers.js';

let rollout: Rollout;
let server: RolloutServer;
beforeEach(async () => {
  rollout = await flagsClient();
  server = serverFor(rollout, { cors: ['https://app.example'], bodyLimit: 1024 });
});
afterEach(async () => {
  await server.close();
  await rollout.close();
});

const ctx = { context: { targetingKey: '1' } };

describe('auth', () => {
  it('takes Bearer and X-API-Key tokens; 401 without or with a wrong one', async () => {
    const path = '/ofrep/v1/evaluate/flags/everyone';
    expect((await post(server, path, ctx)).status).toBe(200);
    expect(
      (await post(server, path, ctx, { authorization: '', 'x-api-key': 'secret' })).status,
    ).toBe(200);
    const none = await post(server, path, ctx, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ errorCode: 'UNAUTHORIZED' });
    expect((await post(server, path, ctx, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post(server, path, ctx, { authorization: 'Basic c2VjcmV0' })).status).toBe(401);
  });

  it('asks the authorize hook: 403 when it refuses a credential', async () => {
    const seen: (string | undefined)[] = [];
    const hooked = serverFor(rollout, {
      tokens: [],
      authorize: ({ token }) => {
        seen.push(token);
        return token === 'tenant-a';
      },
    });
    const path = '/ofrep/v1/evaluate/flags/everyone';
    expect((await post(hooked, path, ctx, { authorization: 'Bearer tenant-a' })).status).toBe(200);
    expect((await post(hooked, path, ctx, { authorization: 'Bearer tenant-b' })).status).toBe(403);
    expect((await post(hooked, path, ctx, { authorization: '' })).status).toBe(401);
    expect(seen).toEqual(['tenant-a', 'tenant-b', undefined]);
    await hooked.close();
  });

  it('a throwing authorize hook is a JSON 500 without a stack', async () => {
    const errors: unknown[] = [];
    const hooked = serverFor(rollout, {
      authorize: () => {
        throw new Error('hook bug at /secret/path.ts:1');
      },
      onError: (e) => errors.push(e),
    });
    const res = await post(hooked, '/ofrep/v1/evaluate/flags/everyone', ctx, {
      authorization: 'Bearer x',
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      errorCode: 'GENERAL',
      errorDetails: 'internal server error',
    });
    expect(text).not.toMatch(/secret|\.ts/);
    expect(errors).toHaveLength(1);
    await hooked.close();
  });

  it('without tokens answers loopback peers only', async () => {
    const open = serverFor(rollout, { tokens: undefined });
    expect(open.authenticated).toBe(false);
    const req = () =>
      new Request('http://localhost/ofrep/v1/evaluate/flags/everyone', {
        method: 'POST',
        body: JSON.stringify(ctx),
      });
    expect((await open.fetch(req(), { remoteAddress: '127.0.0.1' })).status).toBe(200);
    expect((await open.fetch(req(), { remoteAddress: '::ffff:127.0.0.1' })).status).toBe(200);
    const remote = await open.fetch(req(), { remoteAddress: '10.0.0.5' });
    expect(remote.status).toBe(403);
    expect(((await remote.json()) as { errorDetails: string }).errorDetails).toMatch(
      /configure tokens/,
    );
    expect((await open.fetch(req())).status).toBe(403);
    await open.close();
  });

  it('listen refuses a non-loopback host without tokens, and says why', async () => {
    const open = serverFor(rollout, { tokens: undefined });
    await expect(listen(open, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/without a token/);
    const local = await listen(open, { host: '127.0.0.1', port: 0 });
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await local.close();
    const secured = await listen(server, { host: '0.0.0.0', port: 0 });
    await secured.close();
  });
});

describe('CORS', () => {
  it('answers preflight and requests from configured origins only', async () => {
    const preflight = (origin: string) =>
      server.fetch(
        new Request('http://localhost/ofrep/v1/evaluate/flags', {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        }),
      );
    const ok = await preflight('https://app.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await post(server, '/ofrep/v1/evaluate/flags', ctx, {
      origin: 'https://app.example',
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/ETag/i);
  });
});

describe('hostile input', () => {
  it('413 for a body over the limit, by header or by stream', async () => {
    const huge = JSON.stringify({ context: { targetingKey: '1', blob: 'x'.repeat(5000) } });
    const res = await post(server, '/ofrep/v1/evaluate/flags/everyone', huge);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errorCode: 'PAYLOAD_TOO_LARGE' });
    // A streamed body without Content-Length is counted as it arrives.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(500)));
        controller.close();
      },
    });
    const streamed = await server.fetch(
      new Request('http://localhost/ofrep/v1/evaluate/flags', {
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });

  it('unknown routes are JSON 404s, wrong methods JSON 405s with Allow', async () => {
    const res = await server.fetch(new Request('http://localhost/nope/../etc/passwd'));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errorCode: 'NOT_FOUND' });
    for (const [method, path, allow] of [
      ['GET', '/ofrep/v1/evaluate/flags/everyone', 'POST'],
      ['DELETE', '/ofrep/v1/evaluate/flags', 'POST'],
      ['POST', '/healthz', 'GET'],
      ['PUT', '/ofrep/v1/events', 'GET'],
    ] as const) {
      const r = await server.fetch(
        new Request(`http://localhost${path}`, {
          method,
          headers: { authorization: 'Bearer secret' },
        }),
      );
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.get('allow')).toBe(allow);
      expect(await r.json()).toMatchObject({ errorCode: 'METHOD_NOT_ALLOWED' });
    }
  });

  it('survives odd keys and deep, wide or binary bodies', async () => {
    for (const key of ['%00', '%E2%82', 'a'.repeat(300), '..%2F..%2Fx', '%F0%9F%98%80']) {
      const r = await post(server, `/ofrep/v1/evaluate/flags/${key}`, ctx);
      expect([400, 404]).toContain(r.status);
      await r.json();
    }
    const deep = `{"context":${'['.repeat(400)}${']'.repeat(400)}}`;
    expect((await post(server, '/ofrep/v1/evaluate/flags', deep)).status).toBe(400);
    const binary = await server.fetch(
      new Request('http://localhost/ofrep/v1/evaluate/flags', {
        method: 'POST',
        headers: { authorization: 'Bearer secret' },
        body: new Uint8Array([0xff, 0xfe, 0, 1, 2]),
      }),
    );
    expect(binary.status).toBe(400);
  });
});

describe('healthz', () => {
  it('reports ready, stale and revision without credentials', async () => {
    const res = await server.fetch(new Request('http://localhost/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      ready: true,
      stale: false,
      revision: rollout.revision,
      features: 5,
    });
    await rollout.close();
    expect((await server.fetch(new Request('http://localhost/healthz'))).status).toBe(503);
  });
});

describe('the node:http handler', () => {
  let listening: Listening;
  afterEach(async () => listening?.close());

  function raw(url: string, method: string, body: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(url, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('serves the same answers, and a lying Content-Length does not crash it', async () => {
    listening = await listen(server, { port: 0 });
    const ok = await raw(
      `${listening.url}/ofrep/v1/evaluate/flags/everyone`,
      'POST',
      JSON.stringify(ctx),
      {
        authorization: 'Bearer secret',
        'content-type': 'application/json',
      },
    );
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ value: true });
    const big = await raw(`${listening.url}/ofrep/v1/evaluate/flags`, 'POST', 'x'.repeat(2000), {
      authorization: 'Bearer secret',
    });
    expect(big.status).toBe(413);
    // Without tokens the node handler sees the loopback peer.
    const open = serverFor(rollout, { tokens: undefined });
    const openListening = await listen(open, { port: 0 });
    const local = await raw(
      `${openListening.url}/ofrep/v1/evaluate/flags/everyone`,
      'POST',
      JSON.stringify(ctx),
    );
    expect(local.status).toBe(200);
    await openListening.close();
    const health = await raw(`${listening.url}/healthz`, 'GET', '');
    expect(health.status).toBe(200);
  });
});
