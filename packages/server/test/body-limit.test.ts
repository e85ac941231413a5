import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rollout } from '@rollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutServer } from '../src/index.js';
import { flagsClient, post, serverFor } from './helpers.js';

// The body limit as node:http sees it: Content-Length is checked from the header,
// chunked bodies are counted while they arrive, and the body read afterwards is
// the one that was sent (the limit reads it from the socket, not through a copy).
let rollout: Rollout;
let server: RolloutServer;
let http: Server;
let port: number;
beforeEach(async () => {
  rollout = await flagsClient();
  server = serverFor(rollout, { bodyLimit: 1024 });
  http = createServer(server);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});
afterEach(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await server.close();
  await rollout.close();
});

/** POSTs `chunks` over node:http: chunked unless `length` is given. */
function send(
  path: string,
  chunks: string[],
  length?: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    authorization: 'Bearer secret',
  };
  if (length !== undefined) headers['content-length'] = length;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('body limit over node:http', () => {
  it('evaluates a body sent with Content-Length', async () => {
    const body = JSON.stringify({ context: { targetingKey: '42' } });
    const res = await send('/ofrep/v1/evaluate/flags/listed', [body], Buffer.byteLength(body));
    expect(res).toMatchObject({ status: 200, body: { key: 'listed', value: true } });
  });

  it('evaluates a chunked body under the limit', async () => {
    const body = JSON.stringify({ context: { targetingKey: '42', note: 'é'.repeat(100) } });
    const res = await send('/ofrep/v1/evaluate/flags/listed', [body.slice(0, 20), body.slice(20)]);
    expect(res).toMatchObject({ status: 200, body: { key: 'listed', value: true } });
  });

  it('413 for a declared length over the limit', async () => {
    const body = JSON.stringify({ context: { targetingKey: '1', blob: 'x'.repeat(2000) } });
    const res = await send('/ofrep/v1/evaluate/flags', [body], Buffer.byteLength(body));
    expect(res).toMatchObject({ status: 413, body: { errorCode: 'PAYLOAD_TOO_LARGE' } });
  });

  it('413 for a chunked body that grows past the limit', async () => {
    const res = await send('/ofrep/v1/evaluate/flags', Array(10).fill('x'.repeat(300)));
    expect(res).toMatchObject({ status: 413, body: { errorCode: 'PAYLOAD_TOO_LARGE' } });
  });

  it('400 PARSE_ERROR for a bad chunked body under the limit', async () => {
    const res = await send('/ofrep/v1/evaluate/flags', ['{"context":', ' nope']);
    expect(res).toMatchObject({ status: 400, body: { errorCode: 'PARSE_ERROR' } });
  });
});

describe('body limit over the Fetch handler', () => {
  it('keeps the body of a string Request (no Content-Length) under the limit', async () => {
    const res = await post(server, '/ofrep/v1/evaluate/flags/listed', {
      context: { targetingKey: '42' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: 'listed', value: true });
  });

  it('answers a non-numeric Content-Length by counting the body', async () => {
    const res = await post(server, '/ofrep/v1/evaluate/flags', 'x'.repeat(2000), {
      'content-length': 'abc',
    });
    expect(res.status).toBe(413);
  });
});
