import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { envValue, externalControls } from './external.js';
import { findBinary } from './find-binary.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import type { PostgresServer } from './types.js';
import { isRoot, nobody } from './unprivileged-user.js';

/** Environment variable that points the tests at an existing PostgreSQL instead. */
export const POSTGRES_URL_VARIABLE = 'ROLLOUT_TEST_POSTGRES_URL';

/** Debian keeps the server binaries out of PATH, in /usr/lib/postgresql/<major>/bin. */
function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((major) => /^\d+$/.test(major))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(root, major, 'bin'));
}

function run(
  command: string,
  args: string[],
  options: { uid?: number; gid?: number; cwd?: string } = {},
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({
        ok: error === null,
        output: `${stdout}${stderr}${error ? `\n${error.message}` : ''}`,
      });
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster (initdb in a temp dir, trust auth,
 * superuser `rollout`, database `rollout`) on 127.0.0.1 and a free port, and
 * resolves once it accepts connections. Runs as `nobody` when the tests run as
 * root. fsync is off: durability against power loss is not what tests check;
 * data still survives `stop()`/`start()`.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const extra = debianBinDirs();
  const initdb = findBinary('initdb', 'postgresql', extra);
  // Take the server and client tools from the same installation as initdb.
  const bin = dirname(initdb);
  const sameDir = (name: string) =>
    existsSync(join(bin, name)) ? join(bin, name) : findBinary(name, 'postgresql', extra);
  const postgres = sameDir('postgres');
  const pgIsReady = sameDir('pg_isready');
  const createdb = sameDir('createdb');

  const dir = await mkdtemp(join(tmpdir(), 'rollout-postgres-'));
  const data = join(dir, 'data');
  const user = isRoot() ? nobody() : undefined;
  if (user !== undefined) await chown(dir, user.uid, user.gid);
  const asUser = user === undefined ? { cwd: dir } : { uid: user.uid, gid: user.gid, cwd: dir };

  const init = await run(
    initdb,
    ['-D', data, '-U', 'rollout', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
    asUser,
  );
  if (!init.ok) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`[rollout] [test-servers] initdb failed:\n${init.output}`);
  }

  const port = await freePort();
  const server = new ManagedProcess({
    label: 'postgres',
    command: postgres,
    args: [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'shared_buffers=16MB',
    ],
    dir,
    logFile: join(dir, 'postgres.log'),
    spawnOptions: asUser,
    isReady: async () =>
      (
        await run(pgIsReady, [
          '-q',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          'rollout',
          '-d',
          'postgres',
        ])
      ).ok,
    // SIGINT is PostgreSQL's "fast" shutdown: disconnects clients, checkpoints, exits.
    stopSignal: 'SIGINT',
  });
  await server.launch(async () => {
    const created = await run(createdb, [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'rollout',
      'rollout',
    ]);
    if (!created.ok)
      throw new Error(`[rollout] [test-servers] createdb failed:\n${created.output}`);
  });
  return {
    url: `postgres://rollout@127.0.0.1:${port}/rollout`,
    host: '127.0.0.1',
    port,
    dir,
    external: false,
    ...server.controls(),
  };
}

/**
 * `ROLLOUT_TEST_POSTGRES_URL` when set (a handle whose stop/start throw and whose
 * kill does nothing), else a fresh cluster from {@link startPostgres}.
 */
export async function usePostgres(): Promise<PostgresServer> {
  const url = envValue(POSTGRES_URL_VARIABLE);
  if (url === undefined) return startPostgres();
  const parsed = new URL(url);
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    dir: '',
    external: true,
    ...externalControls(POSTGRES_URL_VARIABLE),
  };
}
