import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findBinary,
  type RedisServer,
  startMemcached,
  startPostgres,
  startRedis,
  startRedisCluster,
  useRedis,
} from '../src/index.js';

/** Sends raw bytes, resolves with everything received until `done(reply)` or close. */
function exchange(port: number, request: Buffer | string, done: (reply: Buffer) => boolean) {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (done(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(reply));
  });
}

const redisCommand = (port: number, ...args: string[]) =>
  exchange(
    port,
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    (reply) => reply.includes('\r\n'),
  ).then((reply) => reply.toString('utf8'));

const refused = (port: number) =>
  exchange(port, 'x', () => true).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );

// PostgreSQL answers an SSLRequest (length 8, code 80877103) with one byte, 'N' or 'S'.
const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

describe('startRedis', () => {
  let redis: RedisServer | undefined;
  afterAll(async () => redis?.kill());

  it('answers, keeps data across stop/start, and kill removes its dir', async () => {
    redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisCommand(redis.port, 'PING')).toBe('+PONG\r\n');
    expect(await redisCommand(redis.port, 'SET', 'k', 'kept')).toBe('+OK\r\n');

    await redis.stop();
    expect(await refused(redis.port)).toBe(true);
    await redis.stop(); // idempotent

    await redis.start();
    expect(await redisCommand(redis.port, 'GET', 'k')).toBe('$4\r\nkept\r\n');

    const dir = redis.dir;
    expect(existsSync(dir)).toBe(true);
    await redis.kill();
    expect(existsSync(dir)).toBe(false);
    expect(await refused(redis.port)).toBe(true);
    await expect(redis.start()).rejects.toThrow(/killed/);
  });

  it('two servers get distinct ports', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
    } finally {
      await Promise.all([a.kill(), b.kill()]);
    }
  });
});

describe('useRedis', () => {
  it('uses ROLLOUT_TEST_REDIS_URL when set; stop/start throw, kill is a no-op', async () => {
    const saved = process.env.ROLLOUT_TEST_REDIS_URL;
    process.env.ROLLOUT_TEST_REDIS_URL = 'redis://127.0.0.1:6399';
    try {
      const handle = await useRedis();
      expect(handle.external).toBe(true);
      expect(handle.port).toBe(6399);
      await expect(handle.stop()).rejects.toThrow(/ROLLOUT_TEST_REDIS_URL/);
      await expect(handle.start()).rejects.toThrow(/ROLLOUT_TEST_REDIS_URL/);
      await handle.kill();
    } finally {
      if (saved === undefined) delete process.env.ROLLOUT_TEST_REDIS_URL;
      else process.env.ROLLOUT_TEST_REDIS_URL = saved;
    }
  });
});

describe('startMemcached', () => {
  it('answers version, stops, starts again on the same port', async () => {
    const mc = await startMemcached();
    try {
      expect(mc.servers).toBe(`127.0.0.1:${mc.port}`);
      const version = (port: number) =>
        exchange(port, 'version\r\n', (r) => r.includes('\r\n')).then((r) => r.toString());
      expect(await version(mc.port)).toMatch(/^VERSION /);
      await mc.stop();
      expect(await refused(mc.port)).toBe(true);
      await mc.start();
      expect(await version(mc.port)).toMatch(/^VERSION /);
    } finally {
      await mc.kill();
    }
  });
});

describe('startPostgres', () => {
  it('accepts connections, stops, starts again with its data dir', async () => {
    const pg = await startPostgres();
    try {
      expect(pg.url).toBe(`postgres://rollout@127.0.0.1:${pg.port}/rollout`);
      const answer = () => exchange(pg.port, sslRequest, (r) => r.length >= 1);
      expect((await answer()).toString()).toMatch(/^[NS]$/);
      await pg.stop();
      expect(await refused(pg.port)).toBe(true);
      await pg.start();
      expect((await answer()).toString()).toMatch(/^[NS]$/);
      expect(existsSync(`${pg.dir}/data/PG_VERSION`)).toBe(true);
    } finally {
      await pg.kill();
    }
  });
});

describe('findBinary', () => {
  it('names the Debian package when a binary is missing', () => {
    expect(() => findBinary('no-such-server-binary', 'no-such-package')).toThrow(
      /apt-get install -y no-such-package/,
    );
  });
});

describe('startRedisCluster', () => {
  it('joins three masters that cover every slot', async () => {
    const cluster = await startRedisCluster(3);
    try {
      expect(cluster.nodes).toHaveLength(3);
      for (const node of cluster.nodes) {
        const info = await redisCommand(node.port, 'CLUSTER', 'INFO');
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_slots_assigned:16384');
      }
    } finally {
      await cluster.kill();
    }
  });
});

describe('a test process that dies without cleaning up', () => {
  it('SIGKILLed: the watchdog still stops its server and removes the dir', async () => {
    // The child imports the built package, starts a server and reports where it is.
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { startRedis } = await import(${JSON.stringify(dist)});
         const r = await startRedis();
         console.log(JSON.stringify({ port: r.port, dir: r.dir }));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const { port, dir } = await new Promise<{ port: number; dir: string }>((resolve) => {
      child.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk))));
    });
    expect(await redisCommand(port, 'PING')).toBe('+PONG\r\n');
    child.kill('SIGKILL');
    // Wait for the watchdog to act (the test timeout fails this if it never does).
    while (!(await refused(port)) || existsSync(dir)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(existsSync(dir)).toBe(false);
  });
});
