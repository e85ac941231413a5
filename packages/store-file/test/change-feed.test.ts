import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataLostError, type FeatureChangeEvent, Rollout } from '@rollout/core';
import { nextEvent } from '@rollout/store-test-suite';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { DIST, feature, tempDir } from './helpers.js';

const dirs = tempDir('watch');
const clients: Rollout[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

async function setup(options: { watch?: boolean } = {}) {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'flags.json');
  const seed = new FileStore({ path });
  await seed.put(feature({ name: 'beta', groups: ['staff'] }), 0);
  // A slow client poll: any change seen quickly came from the watcher (or the store's own poll).
  const rollout = new Rollout({
    store: new FileStore({ path, ...options }),
    pollInterval: 600_000,
  });
  clients.push(rollout);
  await rollout.ready();
  return { path, rollout };
}

/** Resolves with the first change event for `name` that satisfies `test`. */
function changeOf(
  rollout: Rollout,
  name: string,
  test: (e: FeatureChangeEvent) => boolean,
): Promise<FeatureChangeEvent> {
  return nextEvent(rollout, 'change', (e) => e.name === name && test(e));
}

/** Runs an ES module script in another Node process. */
function runProcess(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(stderr))));
  });
}

describe('changes made elsewhere reach a Rollout client through the watcher', () => {
  it('a write by another process through the store', async () => {
    const { path, rollout } = await setup();
    const user = { id: 42 };
    expect(rollout.can(user, 'beta')).toBe(false);
    const seen = changeOf(rollout, 'beta', (e) => e.feature?.users.includes('42') === true);
    await runProcess(`
      import { FileStore } from ${JSON.stringify(DIST)};
      const store = new FileStore({ path: ${JSON.stringify(path)} });
      const f = await store.get('beta');
      await store.put({ ...f, users: [...f.users, '42'], updatedAt: new Date().toISOString() }, f.version);
    `);
    const event = await seen;
    expect(event.source).toBe('remote');
    expect(rollout.can(user, 'beta')).toBe(true);
  });

  it('a hand edit: another process rewrites the text in place', async () => {
    const { path, rollout } = await setup();
    const vip = { id: 7, groups: ['vip'] };
    expect(rollout.can(vip, 'beta')).toBe(false);
    const seen = changeOf(rollout, 'beta', (e) => e.feature?.groups.includes('vip') === true);
    // What an editor does: same file, new text; the editor bumps the version.
    const edited = readFileSync(path, 'utf8')
      .replace('"staff"', '"staff",\n        "vip"')
      .replace('"version": 1', '"version": 2');
    await runProcess(`
      import { writeFileSync } from 'node:fs';
      writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(edited)});
    `);
    await seen;
    expect(rollout.can(vip, 'beta')).toBe(true);
  });

  it('polling alone (watch: false) also brings the change', async () => {
    const { path, rollout } = await setup({ watch: false });
    const seen = changeOf(rollout, 'fresh', () => true);
    await runProcess(`
      import { FileStore } from ${JSON.stringify(DIST)};
      const store = new FileStore({ path: ${JSON.stringify(path)} });
      const now = new Date().toISOString();
      await store.put({ name: 'fresh', description: '', groups: ['ALL'], users: [], excludedUsers: [],
        percentage: 0, rules: [], data: {}, hashVersion: 1, createdAt: now, updatedAt: now, version: 0 }, 0);
    `);
    await seen;
    expect(rollout.can({ id: 1 }, 'fresh')).toBe(true);
  });

  it('a deleted file is reported as DataLostError and the flags go off', async () => {
    const { path, rollout } = await setup();
    const lost = nextEvent(rollout, 'error', (e) => e instanceof DataLostError);
    const removed = changeOf(rollout, 'beta', (e) => e.feature === undefined);
    unlinkSync(path);
    expect((await lost).message).toMatch(/flags\.json was deleted/);
    await removed;
    expect(rollout.can({ id: 1, groups: ['staff'] }, 'beta')).toBe(false);
  });

  it('several features changed at once (a pasted file) arrive through a resync', async () => {
    const { path, rollout } = await setup();
    const text = readFileSync(path, 'utf8');
    const other = text.replace('"beta"', '"alpha"').replace('"revision": 1', '"revision": 5');
    const alpha = changeOf(rollout, 'alpha', () => true);
    const beta = changeOf(rollout, 'beta', (e) => e.feature === undefined);
    writeFileSync(path, other);
    await Promise.all([alpha, beta]);
    expect(rollout.snapshot().map((f) => f.name)).toEqual(['alpha']);
  });
});
