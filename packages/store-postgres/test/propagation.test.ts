import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type FeatureChangeEvent, Rollout } from '@rollout/core';
import { makeFeature, waitFor } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../src/index.js';
import { DIST, freshSchema } from './helpers.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/write-from-child.mjs', import.meta.url));

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
});
afterAll(async () => {
  await server?.kill();
});

function inChild(options: PostgresStoreOptions, ...args: string[]) {
  return run(process.execPath, [CHILD, DIST, JSON.stringify(options), ...args]);
}

describe('LISTEN/NOTIFY between processes', () => {
  it("another process's writes reach this process's client through the change event", async () => {
    const options = { connectionString: server.url, schema: freshSchema() };
    // Polling every hour: only a pushed notification can bring the change in time.
    const rollout = new Rollout({ store: new PostgresStore(options), pollInterval: 3_600_000 });
    const events: FeatureChangeEvent[] = [];
    rollout.on('change', (event) => events.push(event));
    try {
      await rollout.ready();
      const name = `from child "quoted"; NOTIFY x; --`;
      await inChild(options, 'activateUser', name, '42');
      const added = await waitFor('the change event of the child write', () =>
        events.find((e) => e.name === name && e.feature !== undefined),
      );
      expect(added.source).toBe('remote');
      expect(added.feature?.users).toEqual(['42']);
      expect(rollout.can({ id: 42 }, name)).toBe(true);
      expect(rollout.can({ id: 43 }, name)).toBe(false);

      await inChild(options, 'activateUser', name, '43');
      await waitFor('the second change', () => rollout.can({ id: 43 }, name));

      await inChild(options, 'removeFeature', name);
      const removed = await waitFor('the removal event', () =>
        events.find((e) => e.name === name && e.feature === undefined),
      );
      expect(removed.previous?.users).toEqual(['42', '43']);
      expect(rollout.can({ id: 42 }, name)).toBe(false);
      expect(rollout.revision).toBe(3);
    } finally {
      await rollout.close();
    }
  });

  it('every subscriber of every store instance hears each change once, in revision order', async () => {
    const options = { connectionString: server.url, schema: freshSchema() };
    const writer = new PostgresStore(options);
    const readers = [new PostgresStore(options), new PostgresStore(options)];
    const heard: number[][] = [[], [], []];
    const unsubscribes = await Promise.all(
      [...readers, readers[0] as PostgresStore].map((store, i) =>
        store.subscribe({
          change: (c) => heard[i]?.push(c.revision),
          resync: () => undefined,
          error: () => undefined,
        }),
      ),
    );
    try {
      for (let i = 0; i < 5; i++) await writer.put(makeFeature({ name: `f${i}` }), 0);
      await writer.remove('f0');
      for (const list of heard) {
        await waitFor('six notifications', () => list.length >= 6);
        expect(list).toEqual([1, 2, 3, 4, 5, 6]);
      }
    } finally {
      await Promise.all(unsubscribes.map((u) => u()));
      await Promise.all([writer, ...readers].map((s) => s.close()));
    }
  });

  it('a LISTEN connection killed by the server comes back and the client resyncs what it missed', async () => {
    const options = { connectionString: server.url, schema: freshSchema(), maxBackoffMs: 300 };
    const store = new PostgresStore(options);
    const rollout = new Rollout({ store, pollInterval: 3_600_000, maxBackoff: 300 });
    let stale = 0;
    rollout.on('stale', () => stale++);
    rollout.on('error', () => undefined);
    const writer = new PostgresStore(options);
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await rollout.ready();
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1',
        [`LISTEN ${pg.escapeIdentifier(store.channel)}`],
      );
      expect(killed.rowCount).toBe(1);
      // Written while the client's LISTEN connection is (probably still) down.
      await writer.put(makeFeature({ name: 'missed', groups: ['ALL'] }), 0);
      await waitFor('the missed change', () => rollout.can({ id: 1 }, 'missed'));
      await waitFor('the client to be ready again', () => rollout.status === 'ready');
      expect(stale).toBeGreaterThan(0);
      // And push is back: a later change arrives without polling.
      await writer.put(makeFeature({ name: 'later', groups: ['ALL'] }), 0);
      await waitFor('a change after the reconnection', () => rollout.can({ id: 1 }, 'later'));
    } finally {
      await admin.end();
      await writer.close();
      await rollout.close();
    }
  });
});
