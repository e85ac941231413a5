import { Rollout, VersionConflictError } from '@rollout/core';
import { makeFeature, nextEvent } from '@rollout/store-test-suite';
import { type RedisClusterServer, startRedisCluster } from '@rollout/test-servers';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

// A real three-master Redis Cluster: the store's scripts touch several keys at once,
// which Cluster only allows when they share a slot (the hash tag), else CROSSSLOT.
let cluster: RedisClusterServer;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(async () => cluster?.kill());

const connect = () => new Cluster([...cluster.nodes], { enableOfflineQueue: true });

describe('Redis Cluster', () => {
  it('writes, reads, snapshots and removes through a Cluster client, for prefixes on different shards', async () => {
    const clients = [connect(), connect()];
    try {
      // Several prefixes, so their hash tags land on different masters.
      const prefixes = Array.from({ length: 6 }, (_, i) => uniquePrefix(`shard${i}`));
      const slots = new Set<number>();
      for (const prefix of prefixes) {
        const store = new RedisStore({ client: clients[0]!, prefix });
        const other = new RedisStore({ client: clients[1]!, prefix });
        await store.put(makeFeature({ name: '*', users: ['1'] }), 0);
        await store.put(makeFeature({ name: '{tag}' }), 0);
        const read = await other.get('*');
        expect(read?.users).toEqual(['1']);
        await expect(other.put(makeFeature({ name: '*' }), 0)).rejects.toThrow(
          VersionConflictError,
        );
        const snapshot = await other.snapshot();
        expect(snapshot.revision).toBe(2);
        expect(snapshot.features.map((f) => f.name).sort()).toEqual(['*', '{tag}']);
        expect(await other.remove('{tag}', 1)).toBe(true);
        expect(await store.revision()).toBe(3);
        // History lives under the same hash tag: the write scripts and the read work on Cluster.
        const history = await other.history({ name: '{tag}' });
        expect(history.map((e) => [e.action, e.version])).toEqual([
          ['remove', 2],
          ['add', 1],
        ]);
        expect((await store.history()).map((e) => e.revision)).toEqual([3, 2, 1]);
        slots.add(Number(await clients[0]!.cluster('KEYSLOT', store.keys.features)));
        const { versions, revision, history: h, historyAll, historyByName } = store.keys;
        for (const key of [versions, revision, h, historyAll, historyByName]) {
          expect(Number(await clients[0]!.cluster('KEYSLOT', key))).toBe(
            Number(await clients[0]!.cluster('KEYSLOT', store.keys.features)),
          );
        }
        await Promise.all([store.close(), other.close()]);
      }
      expect(slots.size).toBeGreaterThan(1);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('pushes changes between two Rollout clients on Cluster connections', async () => {
    const clients = [connect(), connect()];
    const prefix = uniquePrefix('cluster-push');
    const reader = new Rollout({
      store: new RedisStore({ client: clients[0]!, prefix }),
      pollInterval: 60_000,
    });
    const writer = new Rollout({
      store: new RedisStore({ client: clients[1]!, prefix }),
      pollInterval: 60_000,
    });
    try {
      await Promise.all([reader.ready(), writer.ready()]);
      const seen = nextEvent(
        reader,
        'change',
        (c) => c.name === 'cluster_flag' && c.source === 'remote',
      );
      await writer.activateUser('cluster_flag', 7);
      await seen;
      expect(reader.can({ id: 7 }, 'cluster_flag')).toBe(true);
    } finally {
      await Promise.all([reader.close(), writer.close()]);
      // The stores did not own the clients: they are still usable, and ours to close.
      expect(clients[0]!.status).toBe('ready');
      await Promise.all(clients.map((c) => c.quit()));
    }
    // Well under the one-minute poll: a pass cannot come from polling.
  }, 30_000);
});
