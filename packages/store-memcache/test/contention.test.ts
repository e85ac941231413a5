import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rollout } from '@rollout/core';
import { uniqueName } from '@rollout/store-test-suite';
import { type MemcachedServer, startMemcached } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcacheStore } from '../src/index.js';
import { adminCommand } from './memcached-admin.js';

const script = fileURLToPath(new URL('./fixtures/contention-writer.mjs', import.meta.url));

// 8 OS processes × 250 mutations, 10 in flight per process, all on one feature.
const WORKERS = 8;
const MUTATIONS = Number(process.env.CONTENTION_MUTATIONS ?? 250);
const CONCURRENCY = 10;

interface WorkerResult {
  acked: [string, string][];
  rejected: [string, string, string, string][];
}

function runWorker(options: object, worker: number, name: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        script,
        JSON.stringify(options),
        String(worker),
        String(MUTATIONS),
        String(CONCURRENCY),
        name,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`worker ${worker} failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as WorkerResult);
      },
    );
  });
}

async function memcachedStats(server: MemcachedServer): Promise<Map<string, string>> {
  const reply = await adminCommand(server.host, server.port, 'stats', 'END\r\n');
  const stats = new Map<string, string>();
  for (const line of reply.split('\r\n')) {
    const [, key, value] = line.split(' ');
    if (key && value) stats.set(key, value);
  }
  return stats;
}

// Its own server, at the test servers' (and memcached's) default of 64 MB: the point is
// that nothing is left behind per version to fill it.
let server: MemcachedServer;
beforeAll(async () => {
  server = await startMemcached();
});
afterAll(async () => {
  await server?.kill();
});

describe('contention on one feature', () => {
  it(`${WORKERS} processes × ${MUTATIONS} mixed mutations: exact final state, nothing rejected, nothing acknowledged lost`, async () => {
    const options = { servers: server.servers, prefix: `${uniqueName('c')}:` };
    const name = 'load_one';
    const admin = new Rollout({ store: new MemcacheStore(options) });
    await admin.ready();
    await admin.addFeature({ name });

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => runWorker(options, w, name)),
    );
    const seconds = (performance.now() - started) / 1000;

    const acked = results.flatMap((r) => r.acked);
    const rejected = results.flatMap((r) => r.rejected);
    const users = new Set<string>();
    const groups = new Set<string>();
    for (const [op, arg] of acked) {
      if (op === 'activateUser') users.add(arg);
      if (op === 'activateGroup') groups.add(arg);
    }
    for (const [op, arg] of acked) if (op === 'deactivateUser') users.delete(arg);

    // A fresh store, so nothing comes from a cache.
    const reader = new MemcacheStore(options);
    const stored = await reader.get(name);
    await reader.close();
    const storedUsers = new Set(stored?.users.map(String));
    const missing = [...users].filter((u) => !storedUsers.has(u));
    const extra = [...storedUsers].filter((u) => !users.has(u));
    const missingGroups = [...groups].filter((g) => !stored?.groups.includes(g));
    const stats = await memcachedStats(server);
    console.log(
      `memcache contention: ${acked.length} acknowledged writes in ${seconds.toFixed(1)} s ` +
        `(${Math.round(acked.length / seconds)}/s), ${rejected.length} rejected, ${missing.length} missing; ` +
        `memcached ${Math.round(Number(stats.get('bytes')) / 1024)} kB in use, ${stats.get('evictions')} evictions`,
    );

    expect(rejected.slice(0, 5)).toEqual([]);
    expect(acked).toHaveLength(WORKERS * MUTATIONS);
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
    expect(missingGroups).toEqual([]);
    // One version per acknowledged write (each one changed the feature), plus the add.
    expect(stored?.version).toBe(1 + acked.length);
    // Nothing left per version: the live data is the feature's one record and the index.
    expect(Number(stats.get('evictions'))).toBe(0);
    expect(Number(stats.get('bytes'))).toBeLessThan(4 * 1024 * 1024);
    await admin.close();
  }, 120_000);
});
