import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Packs @rollout/core and the suite as they would be published (pnpm rewrites
// `workspace:^`), installs the tarballs with npm into a project outside the
// workspace, and runs a store's suite there. Needs both packages built (turbo
// builds them before the tests) and npm on PATH; npm resolves nothing from the
// registry, the tarballs satisfy every dependency.
const packages = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('./outside/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rollout-outside-'));
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

function manifest(tarball: string): Record<string, Record<string, string> | undefined> {
  return JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  );
}

describe('the suite outside the monorepo', () => {
  it('installs from packed tarballs with npm and runs a store suite green', () => {
    const core = pack('core');
    const suite = pack('store-test-suite');

    const suiteManifest = manifest(suite);
    expect(suiteManifest.dependencies?.['@rollout/core']).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(JSON.stringify(suiteManifest)).not.toContain('workspace:');
    // The README the manifest's `files` names is in the tarball.
    const files = execFileSync('tar', ['-tzf', suite], { encoding: 'utf8' });
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/dist/worker.js');

    const project = join(work, 'my-store');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'rollout-store-outside',
        version: '1.0.0',
        type: 'module',
        private: true,
      }),
    );
    for (const file of ['my-store.mjs', 'conformance.test.mjs']) {
      copyFileSync(join(here, file), join(project, file));
    }
    // No NODE_PATH (pnpm exec sets one that sees every workspace package) and a cwd outside the workspace.
    const { NODE_PATH: _hidden, ...env } = process.env;
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', core, suite],
      { cwd: project, env, stdio: 'pipe', timeout: 150_000 },
    );

    let output: string;
    try {
      output = execFileSync(
        process.execPath,
        ['--test', '--test-reporter=tap', 'conformance.test.mjs'],
        {
          cwd: project,
          env,
          encoding: 'utf8',
          timeout: 150_000,
        },
      );
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`the suite failed outside the monorepo:\n${stdout ?? ''}\n${stderr ?? ''}`);
    }
    const passed = Number(/^# pass (\d+)/m.exec(output)?.[1]);
    const failed = Number(/^# fail (\d+)/m.exec(output)?.[1]);
    expect(failed).toBe(0);
    expect(passed, output.slice(-2000)).toBeGreaterThan(30);
    console.log(`outside the monorepo: ${passed} passed, ${failed} failed`);
  }, 300_000);
});
