import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, watchRollout } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rollout-cli-serve-'));
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.kill();
  rmSync(dir, { recursive: true, force: true });
});

function listeningUrl(stdout: string): string {
  const match = /listening on (http:\/\/\S+)/.exec(stdout);
  if (!match?.[1]) throw new Error(`no listening line in ${stdout}`);
  return match[1];
}

async function evaluate(base: string, key: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/ofrep/v1/evaluate/flags/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ context: { targetingKey: '1' } }),
  });
  return { status: res.status, body: (await res.json()) as { value?: boolean } };
}

describe('rollout serve', () => {
  for (const kind of ['file', 'redis'] as const) {
    it(`serves OFREP from a ${kind} store, follows changes from other processes, stops on SIGTERM`, async () => {
      const store =
        kind === 'file' ? `file:${join(dir, 'flags.json')}` : `${redis.url}/?prefix=serve-test:`;
      const env = { ROLLOUT_STORE: store };
      expect((await rollout(['add', 'checkout'], { env })).code).toBe(0);
      const serve = watchRollout(['serve', '--port', '0', '--token', 'T0k'], { env });
      await serve.until(
        () => serve.stdout().includes('listening on http://127.0.0.1:'),
        'its listening line',
      );
      const base = listeningUrl(serve.stdout());
      const auth = { authorization: 'Bearer T0k' };
      expect(await evaluate(base, 'checkout', auth)).toMatchObject({
        status: 200,
        body: { value: false },
      });
      expect((await evaluate(base, 'checkout')).status).toBe(401);

      expect((await rollout(['activate', 'checkout'], { env })).code).toBe(0);
      for (let i = 0; i < 200; i++) {
        if ((await evaluate(base, 'checkout', auth)).body.value === true) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await evaluate(base, 'checkout', auth)).body.value).toBe(true);
      const health = await fetch(`${base}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ready', features: 1 });

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    });
  }

  it('refuses to listen beyond loopback without a token, in one line', async () => {
    const env = { ROLLOUT_STORE: 'memory:' };
    const run = await rollout(['serve', '--host', '0.0.0.0', '--port', '0'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const badPort = await rollout(['serve', '--port', 'eighty'], { env });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a number/);
  });

  it('without a token serves loopback clients and says so', async () => {
    const serve = watchRollout(['serve', '--port', '0'], { env: { ROLLOUT_STORE: 'memory:' } });
    await serve.until(() => serve.stdout().includes('listening on'), 'its listening line');
    expect(serve.stderr()).toMatch(/no token: answering clients on this machine only/);
    expect((await evaluate(listeningUrl(serve.stdout()), 'nothing')).status).toBe(404);
    serve.child.kill('SIGINT');
    expect(await serve.exited).toBe(0);
  });

  it('serves the dashboard and the admin API behind --admin-token, read-only on request', async () => {
    const env = { ROLLOUT_STORE: 'memory:' };
    const serve = watchRollout(
      [
        'serve',
        '--port',
        '0',
        '--token',
        'eval',
        '--admin-token',
        'adm1n',
        '--read-only',
        '--environment',
        'production:#b91c1c',
      ],
      { env },
    );
    await serve.until(() => serve.stdout().includes('listening on'), 'its listening line');
    const base = listeningUrl(serve.stdout());
    expect(serve.stderr()).toMatch(/dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(read-only\)/);
    const page = await fetch(`${base}/`);
    expect(await page.text()).toContain('production');
    expect((await fetch(`${base}/api/features`)).status).toBe(401);
    const evalOnly = await fetch(`${base}/api/features`, {
      headers: { authorization: 'Bearer eval' },
    });
    expect(evalOnly.status).toBe(401);
    const admin = { authorization: 'Bearer adm1n' };
    expect(await (await fetch(`${base}/api/session`, { headers: admin })).json()).toMatchObject({
      actor: 'admin-token',
      canWrite: false,
      readOnly: true,
      environment: { name: 'production', color: '#b91c1c' },
    });
    const write = await fetch(`${base}/api/features`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(write.status).toBe(403);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });
});
