import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envValue, externalControls } from './external.js';
import { findBinary } from './find-binary.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { probe } from './probe.js';
import type { MemcachedServer } from './types.js';
import { isRoot } from './unprivileged-user.js';

/** Environment variable that points the tests at an existing memcached instead. */
export const MEMCACHE_SERVERS_VARIABLE = 'ROLLOUT_TEST_MEMCACHE_SERVERS';

/**
 * Starts a throwaway `memcached` on 127.0.0.1 and a free port (TCP only, 64 MB)
 * and resolves once it answers `version`. memcached keeps nothing across
 * `stop()`/`start()`: that is the point of failure tests against it.
 */
export async function startMemcached(): Promise<MemcachedServer> {
  const binary = findBinary('memcached', 'memcached');
  const dir = await mkdtemp(join(tmpdir(), 'rollout-memcached-'));
  const port = await freePort();
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '64'];
  // memcached refuses to run as root unless told which user to become.
  if (isRoot()) args.push('-u', 'nobody');
  const server = new ManagedProcess({
    label: 'memcached',
    command: binary,
    args,
    dir,
    logFile: join(dir, 'memcached.log'),
    isReady: () => probe(port, 'version\r\n', (reply) => reply.startsWith('VERSION')),
    stopSignal: 'SIGTERM',
  });
  await server.launch();
  return {
    servers: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    external: false,
    ...server.controls(),
  };
}

/**
 * `ROLLOUT_TEST_MEMCACHE_SERVERS` when set (a handle whose stop/start throw and
 * whose kill does nothing), else a fresh server from {@link startMemcached}.
 */
export async function useMemcached(): Promise<MemcachedServer> {
  const servers = envValue(MEMCACHE_SERVERS_VARIABLE);
  if (servers === undefined) return startMemcached();
  const first = servers.split(',')[0] ?? '';
  const [host = '127.0.0.1', port = '11211'] = first.trim().split(':');
  return {
    servers,
    host,
    port: Number(port),
    external: true,
    ...externalControls(MEMCACHE_SERVERS_VARIABLE),
  };
}
