import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envValue, externalControls } from './external.js';
import { findBinary } from './find-binary.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { probe } from './probe.js';
import type { RedisServer } from './types.js';

/** Environment variable that points the tests at an existing Redis instead. */
export const REDIS_URL_VARIABLE = 'ROLLOUT_TEST_REDIS_URL';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Extra `redis-server` arguments (`--cluster-enabled yes`, ...), appended last. */
  args?: readonly string[];
}

/**
 * Starts a throwaway `redis-server` on 127.0.0.1 and a free port, in a temp dir,
 * and resolves once it answers PING. Data survives `stop()`/`start()` (an RDB is
 * written on the graceful stop). Throws, naming the Debian package, when
 * `redis-server` is not installed.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = findBinary('redis-server', 'redis-server');
  const dir = await mkdtemp(join(tmpdir(), 'rollout-redis-'));
  const port = await freePort();
  const server = new ManagedProcess({
    label: 'redis-server',
    command: binary,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      // A save point makes a graceful SIGTERM write dump.rdb, so data survives
      // stop()/start() like a real deployment; 3600 s keeps it out of the test run.
      '--save',
      '3600 1',
      '--appendonly',
      'no',
      '--logfile',
      '',
      ...(options.args ?? []),
    ],
    dir,
    logFile: join(dir, 'redis.log'),
    isReady: () => probe(port, 'PING\r\n', (reply) => reply.startsWith('+PONG')),
    stopSignal: 'SIGTERM',
  });
  await server.launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    external: false,
    ...server.controls(),
  };
}

/**
 * `ROLLOUT_TEST_REDIS_URL` when set (a handle whose stop/start throw and whose
 * kill does nothing), else a fresh server from {@link startRedis}.
 */
export async function useRedis(): Promise<RedisServer> {
  const url = envValue(REDIS_URL_VARIABLE);
  if (url === undefined) return startRedis();
  const parsed = new URL(url);
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    dir: '',
    external: true,
    ...externalControls(REDIS_URL_VARIABLE),
  };
}
