import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '@rollout/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { feature, tempDir } from './helpers.js';

const dirs = tempDir('lock');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

function fresh(options: { lockTimeout?: number; staleLockTimeout?: number } = {}) {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'flags.json');
  return { path, lockPath: `${path}.lock`, store: new FileStore({ path, ...options }) };
}

/** The pid of a process that has exited (run one to completion). */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(result.stdout.toString());
}

/** A process that stays alive until the tests end. */
function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

function lockContent(pid: number, time = Date.now()): string {
  return `${JSON.stringify({ pid, host: hostname(), token: 'someone-else', time })}\n`;
}

describe('the inter-process lock', () => {
  it('is taken for the write and released after it', async () => {
    const { lockPath, store } = fresh();
    await store.put(feature({ name: 'a' }), 0);
    expect(existsSync(lockPath)).toBe(false);
    expect(existsSync(`${lockPath}.break`)).toBe(false);
  });

  it('a lock left by a crashed writer (its pid is gone) is broken at once', async () => {
    // The timeouts are far longer than the test: only the dead-owner rule can free it.
    const { lockPath, store } = fresh({ lockTimeout: 30_000, staleLockTimeout: 600_000 });
    writeFileSync(lockPath, lockContent(deadPid()));
    await store.put(feature({ name: 'after-crash' }), 0);
    expect((await store.get('after-crash'))?.version).toBe(1);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('a lock older than staleLockTimeout is broken even if its owner is alive (a hung writer)', async () => {
    const { lockPath, store } = fresh({ lockTimeout: 30_000, staleLockTimeout: 1_000 });
    writeFileSync(lockPath, lockContent(livePid(), Date.now() - 60_000));
    await store.put(feature({ name: 'after-hang' }), 0);
    expect((await store.get('after-hang'))?.version).toBe(1);
  });

  it('an empty lock file (its writer died between create and write) is broken once old enough', async () => {
    const { lockPath, store } = fresh({ lockTimeout: 30_000, staleLockTimeout: 1_000 });
    writeFileSync(lockPath, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath, old, old);
    await store.put(feature({ name: 'after-empty' }), 0);
    expect((await store.get('after-empty'))?.version).toBe(1);
  });

  it('a fresh lock of a live process is respected: the write times out, writes nothing and leaves the lock alone', async () => {
    const { path, lockPath, store } = fresh({ lockTimeout: 300, staleLockTimeout: 600_000 });
    await store.put(feature({ name: 'existing' }), 0);
    const before = readFileSync(path);
    const content = lockContent(livePid());
    writeFileSync(lockPath, content);
    const error = await store.put(feature({ name: 'blocked' }), 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).message).toMatch(
      /^\[rollout\] \[file\] timed out after 300 ms waiting for the lock .*flags\.json\.lock held by pid \d+/,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    // Only its owner may release it.
    expect(readFileSync(lockPath, 'utf8')).toBe(content);
  });
});
