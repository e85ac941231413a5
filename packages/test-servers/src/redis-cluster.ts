import { execFile } from 'node:child_process';
import { findBinary } from './find-binary.js';
import { probe } from './probe.js';
import { startRedis } from './redis.js';
import type { RedisServer } from './types.js';

/** A throwaway Redis Cluster of masters only, on 127.0.0.1. */
export interface RedisClusterServer {
  /** The nodes, as ioredis' `new Cluster(nodes)` takes them. */
  readonly nodes: readonly { host: string; port: number }[];
  /** The node servers (each with stop/start, e.g. to fail one shard). */
  readonly servers: readonly RedisServer[];
  /** Stops every node and deletes their temp dirs. Idempotent. */
  kill(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `masters` (default 3) `redis-server` nodes in cluster mode, joins them
 * with `redis-cli --cluster create` (slots spread evenly, no replicas) and resolves
 * once every node reports `cluster_state:ok`. Needs `redis-server` and `redis-cli`
 * (Debian: redis-server, redis-tools).
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterServer> {
  const cli = findBinary('redis-cli', 'redis-tools');
  const servers: RedisServer[] = [];
  const kill = async () => {
    await Promise.all(servers.map((s) => s.kill()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await new Promise<void>((resolve, reject) => {
      execFile(
        cli,
        ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
        { timeout: 60_000 },
        (error, stdout, stderr) =>
          error
            ? reject(
                new Error(
                  `[rollout] [test-servers] redis-cli --cluster create failed:\n${stdout}${stderr}`,
                ),
              )
            : resolve(),
      );
    });
    const deadline = Date.now() + 30_000;
    for (const server of servers) {
      const info = 'CLUSTER INFO\r\n';
      while (!(await probe(server.port, info, (reply) => reply.includes('cluster_state:ok')))) {
        if (Date.now() > deadline)
          throw new Error('[rollout] [test-servers] the Redis Cluster did not become ready');
        await sleep(100);
      }
    }
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: s.host, port: s.port })),
    servers,
    kill,
  };
}
