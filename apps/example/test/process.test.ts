import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileStore } from '@rollout/store-file';
import { afterAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rollout-example-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the built app (`pnpm start`) and resolves with the URL it prints. */
function startApp(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "pnpm run build" first`);
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`the app exited with ${code}: ${out}`)));
  });
}

/** Asks `path` until it answers `status` (the app learns of file changes through its watcher). */
async function untilStatus(url: string, status: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status === status) return;
    if (Date.now() > deadline) throw new Error(`${url} still answers ${res.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the built app as its own process, on a file store', () => {
  it('prints the real port, seeds the file, and follows flag changes written by another process', async () => {
    const file = join(dir, 'flags.json');
    const { child, url } = await startApp({
      PORT: '0',
      ROLLOUT_STORE: `${pathToFileURL(file).href}?pollInterval=200`,
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect(JSON.parse(readFileSync(file, 'utf8')).features).toHaveProperty('new_dashboard');

    const beta = `${url}/beta?user=77`;
    expect((await fetch(beta)).status).toBe(403);
    // Another process (this test) changes the flag through the file store.
    const store = new FileStore({ path: file });
    const current = await store.get('new_dashboard');
    await store.put({ ...current!, users: [...current!.users, '77'] }, current!.version);
    await untilStatus(beta, 200);
    const again = await store.get('new_dashboard');
    await store.put({ ...again!, users: again!.users.filter((u) => u !== '77') }, again!.version);
    await untilStatus(beta, 403);

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start on a corrupt flags file, naming the file and position, and leaves it alone', async () => {
    const file = join(dir, 'corrupt.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{ "format": "rollout/v1", "features": { "x": ');
    const error = await startApp({ PORT: '0', ROLLOUT_STORE: pathToFileURL(file).href }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/exited with 1/);
    expect(error?.message).toMatch(/corrupt data at .*corrupt\.json:1:\d+/);
    expect(readFileSync(file, 'utf8')).toBe('{ "format": "rollout/v1", "features": { "x": ');
  });
});
