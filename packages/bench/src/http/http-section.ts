import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rollout } from '@rollout/core';
import { createRolloutServer } from '@rollout/server';
import { MemoryStore } from '@rollout/store-memory';
import type { Budget } from '../budget.js';
import type { Report } from '../harness/report.js';
import { renderTable } from '../harness/table.js';
import { type LoadResult, load } from './load.js';

const CONNECTIONS = 16;
const FEATURES = 50;
const CONTEXT = JSON.stringify({
  context: { targetingKey: 'user-4242', groups: ['beta'], country: 'NZ' },
});
const CONSTANT = JSON.stringify({ key: 'f-0', value: true, reason: 'STATIC', variant: 'on' });

async function serve(
  listener: RequestListener,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * OFREP over HTTP: requests per second and p99 for single and bulk evaluation
 * through `@rollout/server`'s node handler, beside a baseline node:http handler
 * that answers a constant JSON body. Server and load generator share this process
 * (and the machine's cores) for every row alike, so compare rows, not machines.
 */
export async function runHttpSection(report: Report, budget: Budget): Promise<void> {
  const rollout = new Rollout({ store: new MemoryStore() });
  await rollout.ready();
  for (let i = 0; i < FEATURES; i++) {
    await rollout.addFeature({
      name: `f-${i}`,
      ...(i % 3 === 0
        ? { percentage: 30 }
        : i % 3 === 1
          ? { groups: ['beta'] }
          : { users: ['1', '2', '3'] }),
    });
  }
  const handler = createRolloutServer({ rollout, tokens: ['bench'] });
  const rolloutServer = await serve(handler);
  const baseline = await serve((_req, res) => {
    _req.resume();
    _req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(CONSTANT));
  });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
  const seconds = budget.httpSeconds;
  const opts = { connections: CONNECTIONS, seconds, expectStatus: 200 };
  const rows: [string, LoadResult][] = [];
  try {
    rows.push([
      'baseline node:http, constant body',
      await load(`${baseline.url}/`, CONTEXT, headers, opts),
    ]);
    rows.push([
      'single: POST /ofrep/v1/evaluate/flags/f-1',
      await load(`${rolloutServer.url}/ofrep/v1/evaluate/flags/f-1`, CONTEXT, headers, opts),
    ]);
    rows.push([
      `bulk: POST /ofrep/v1/evaluate/flags (${FEATURES} flags)`,
      await load(`${rolloutServer.url}/ofrep/v1/evaluate/flags`, CONTEXT, headers, opts),
    ]);
  } finally {
    await rolloutServer.close();
    await baseline.close();
    await handler.close();
    await rollout.close();
  }
  const base = rows[0]?.[1].rps ?? 1;
  const table = renderTable(
    [
      { title: 'endpoint' },
      { title: 'req/s', align: 'right' },
      { title: 'vs baseline', align: 'right' },
      { title: 'p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'CPU µs/req', align: 'right' },
      { title: 'errors', align: 'right' },
    ],
    rows.map(([name, r]) => [
      name,
      Math.round(r.rps),
      `${((r.rps / base) * 100).toFixed(0)} %`,
      r.p50Ms,
      r.p99Ms,
      Math.round(r.cpuUsPerRequest),
      r.errors,
    ]),
  );
  report.add(
    'http',
    'OFREP over HTTP',
    `${CONNECTIONS} keep-alive connections for ${seconds} s per row, one process, tokens on. CPU µs/req is this process's CPU time (load generator and server) per request: on a busy machine compare it, and the ratio to the baseline, rather than raw req/s.\n\n${table}`,
    {
      connections: CONNECTIONS,
      seconds,
      features: FEATURES,
      rows: rows.map(([name, r]) => ({ name, ...r })),
    },
  );
}
