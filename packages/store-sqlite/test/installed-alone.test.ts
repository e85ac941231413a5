import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 18's promise to users: an app that installed only @rollout/core and
// @rollout/store-sqlite (packed as they would be published, installed with npm in a
// folder outside the workspace) picks the store by URL, with no import of the store
// package in its code. better-sqlite3 comes from the registry and is built by
// node-gyp there (npm is configured with Node's headers on these machines), which is
// why this test takes a minute or more.
const packages = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rollout-sqlite-alone-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function pack(pkg: string): string {
  const before = new Set(readdirSync(work));
  execFileSync('pnpm', ['pack', '--pack-destination', work], {
    cwd: join(packages, pkg),
    stdio: 'pipe',
  });
  const made = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
  if (!made) throw new Error(`pnpm pack of ${pkg} made no tarball`);
  return join(work, made);
}

const APP = `
import { openStore, Rollout } from '@rollout/core';
const store = await openStore('sqlite:./flags.db');
const rollout = new Rollout({ store });
await rollout.ready();
await rollout.activateUser('beta', 'u-1');
const reopened = await openStore('sqlite:./flags.db');
const stored = await reopened.get('beta');
console.log(JSON.stringify({
  name: store.name,
  listed: rollout.can({ id: 'u-1' }, 'beta'),
  other: rollout.can({ id: 'u-2' }, 'beta'),
  users: stored?.users,
}));
await rollout.close();
await store.close();
await reopened.close();
`;

describe('an app with only core and the SQLite store installed', () => {
  it("opens openStore('sqlite:./flags.db') and writes to the file", () => {
    const core = pack('core');
    const sqlite = pack('store-sqlite');
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'sqlite-app', version: '1.0.0', type: 'module', private: true }),
    );
    writeFileSync(join(app, 'app.mjs'), APP);
    // No NODE_PATH (pnpm exec sets one that sees every workspace package): only what npm installed.
    const { NODE_PATH: _hidden, ...env } = process.env;
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', core, sqlite],
      { cwd: app, env, stdio: 'pipe', timeout: 400_000 },
    );
    expect(readdirSync(join(app, 'node_modules', '@rollout')).sort()).toEqual([
      'core',
      'store-sqlite',
    ]);
    const output = execFileSync(process.execPath, ['app.mjs'], {
      cwd: app,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(output)).toEqual({
      name: 'sqlite',
      listed: true,
      other: false,
      users: ['u-1'],
    });
    expect(readdirSync(app)).toContain('flags.db');
  }, 480_000);
});
