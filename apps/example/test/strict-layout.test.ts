import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// An app laid out as pnpm's strict layout leaves it: its node_modules holds only
// @rollout/core and the one store package it installed. @rollout/core itself cannot
// see any store package, so openStore must resolve the store from the app.
const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));
const dirs: string[] = [];

function appWith(installed: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-strict-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'node_modules', '@rollout'), { recursive: true });
  for (const name of installed) {
    symlinkSync(join(packages, name), join(dir, 'node_modules', '@rollout', name), 'dir');
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'app', type: 'module', private: true }),
  );
  writeFileSync(
    join(dir, 'main.mjs'),
    `import { openStore, Rollout } from '@rollout/core';
try {
  const rollout = new Rollout({ store: await openStore(process.argv[2]) });
  await rollout.ready();
  await rollout.activateUser('chat', 7);
  console.log(JSON.stringify({ can: rollout.can({ id: 7 }, 'chat'), store: rollout.store.name }));
  await rollout.close();
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message, packageName: error.packageName }));
}
`,
  );
  return dir;
}

function run(dir: string, url: string): Record<string, unknown> {
  // pnpm exec sets NODE_PATH to its virtual store, where every workspace package is
  // visible: a real app has no such path, so the child runs without it.
  const { NODE_PATH: _hidden, ...env } = process.env;
  const out = execFileSync(process.execPath, ['main.mjs', url], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(out);
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openStore in an app that installed only core and one store', () => {
  it('opens the installed store from a URL', () => {
    const dir = appWith(['core', 'store-file']);
    expect(run(dir, 'file:./flags.json')).toEqual({ can: true, store: 'file' });
  });

  it('opens sqlite: in an app that installed only core and @rollout/store-sqlite', () => {
    const dir = appWith(['core', 'store-sqlite']);
    expect(run(dir, 'sqlite:./flags.db')).toEqual({ can: true, store: 'sqlite' });
    // And the data is in that file, for the next process.
    expect(run(dir, 'sqlite:./flags.db')).toEqual({ can: true, store: 'sqlite' });
  });

  it('opens a third-party scheme x: from the package rollout-store-x, by convention', () => {
    const dir = appWith(['core']);
    const pkg = join(dir, 'node_modules', 'rollout-store-acme');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'rollout-store-acme', type: 'module', exports: './index.js' }),
    );
    writeFileSync(
      join(pkg, 'index.js'),
      `import { MemoryFeatureStore } from '@rollout/core/store';
export function storeFromUrl(url) { return new MemoryFeatureStore({ name: 'acme-' + url.host }); }
`,
    );
    // The third-party package imports @rollout/core too: from the app's node_modules.
    expect(run(dir, 'acme://prod')).toEqual({ can: true, store: 'acme-prod' });
  });

  it('names both ways in for an unknown scheme whose package is missing', () => {
    const dir = appWith(['core']);
    const result = run(dir, 'acme://prod');
    expect(result.code).toBe('INVALID_STORE_URL');
    expect(result.packageName).toBe('rollout-store-acme');
    expect(String(result.message)).toContain('install a package named rollout-store-acme');
    expect(String(result.message)).toContain('registerStore("acme:"');
  });

  it('names the package to install for a store that is not installed, without the password', () => {
    const dir = appWith(['core', 'store-file']);
    const result = run(dir, 'redis://:hunter2@127.0.0.1:6379/0');
    expect(result.code).toBe('INVALID_STORE_URL');
    expect(result.packageName).toBe('@rollout/store-redis');
    expect(String(result.message)).toContain('install it (npm install @rollout/store-redis)');
    expect(String(result.message)).not.toContain('hunter2');
  });
});
