import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Explanation, Feature } from '@rollout/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, rollout, rolloutJson, watchRollout } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rollout-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** A fresh, empty file store for one test. */
function freshStore(): { url: string; path: string; env: Record<string, string> } {
  const path = join(dir, `flags-${++counter}.json`);
  const url = `file:${path}`;
  return { url, path, env: { ROLLOUT_STORE: url } };
}

// The escape character that starts every ANSI colour sequence.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

function expectNoStack(run: CliRun) {
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('help and usage', () => {
  it('--help lists every command and exits 0; no arguments prints it to stderr and exits 2', async () => {
    const help = await rollout(['--help']);
    expect(help.code).toBe(0);
    for (const name of [
      'list',
      'show',
      'add',
      'remove',
      'activate-user',
      'explain',
      'watch',
      'import-gem',
    ]) {
      expect(help.stdout).toContain(`  ${name} `);
    }
    expect(help.stdout).toMatch(/Exit codes:.*3 feature not found/);
    const bare = await rollout([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Commands:');
  });

  it('every command has --help with usage and examples', async () => {
    const help = await rollout(['--help']);
    const names = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThanOrEqual(20);
    const runs = await Promise.all(names.map((n) => rollout([n, '--help'])));
    runs.forEach((run, i) => {
      expect(run.code, names[i]).toBe(0);
      expect(run.stdout, names[i]).toContain(`Usage: rollout ${names[i]}`);
      expect(run.stdout, names[i]).toMatch(/Examples:\n {2}rollout /);
    });
    const viaHelp = await rollout(['help', 'activate-percentage']);
    expect(viaHelp.stdout).toContain('Usage: rollout activate-percentage NAME PERCENT');
  });

  it('unknown commands and options are usage errors (exit 2) with a suggestion, never a stack trace', async () => {
    const typo = await rollout(['activate-usr', 'chat', '1']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "activate-usr"');
    expect(typo.stderr).toContain('did you mean rollout activate-user?');
    const option = await rollout(['list', '--frobnicate']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/error: Unknown option '--frobnicate'/);
    const missing = await rollout(['activate-user', 'chat'], { env: freshStore().env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('activate-user is missing arguments');
    for (const run of [typo, option, missing]) expectNoStack(run);
  });

  it('a missing store or a bad store URL is a usage error that hides the password', async () => {
    const none = await rollout(['list']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no store given: pass --store URL or set ROLLOUT_STORE');
    const bad = await rollout(['list', '--store', 'mongodb://admin:TopSecret42@db:27017/x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown store URL scheme "mongodb:"');
    expect(bad.stderr).not.toContain('TopSecret42');
    const garbage = await rollout(['list', '--store', 'not a url']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/not a valid store URL/);
  });

  it('an invalid percentage is a usage error and writes nothing', async () => {
    const store = freshStore();
    for (const bad of ['120', '-5', 'abc', '12.3456', '']) {
      const run = await rollout(['activate-percentage', 'chat', bad], { env: store.env });
      expect(run.code, bad).toBe(2);
      expect(run.stderr, bad).toContain('invalid percentage');
    }
    expect(await rolloutJson(['list'], { env: store.env })).toEqual([]);
  });

  it('invalid names are usage errors; --data must be a JSON object', async () => {
    const store = freshStore();
    const name = await rollout(['add', ' padded '], { env: store.env });
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('invalid name');
    const data = await rollout(['add', 'x', '--data', '{oops'], { env: store.env });
    expect(data.code).toBe(2);
    expect(data.stderr).toContain('--data is not valid JSON');
    const array = await rollout(['add', 'x', '--data', '[1]'], { env: store.env });
    expect(array.code).toBe(2);
  });
});

describe('managing features in a file store', () => {
  it('add, toggles, set and remove change the stored feature; show and list read it back', async () => {
    const { env } = freshStore();
    const add = await rollout(
      [
        'add',
        'chat',
        '--description',
        'Live chat',
        '--percentage',
        '20',
        '--groups',
        'vip',
        '--data',
        '{"owner":"support"}',
      ],
      { env },
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('✓ created chat');
    expect((await rollout(['add', 'chat'], { env })).code).toBe(1);
    await rollout(['activate-user', 'chat', '42', '43', 'alice@example.com'], { env });
    await rollout(['deactivate-user', 'chat', '43'], { env });
    await rollout(['exclude-user', 'chat', '666', '667'], { env });
    await rollout(['include-user', 'chat', '667'], { env });
    await rollout(['activate-group', 'chat', 'beta', 'staff'], { env });
    await rollout(['deactivate-group', 'chat', 'staff'], { env });
    await rollout(['activate-percentage', 'chat', '12.5'], { env });
    await rollout(
      ['set', 'chat', '--data', '{"color":"teal"}', '--merge', '--description', 'Chat v2'],
      { env },
    );
    const chat = await rolloutJson<Feature>(['show', 'chat'], { env });
    expect(chat).toMatchObject({
      name: 'chat',
      description: 'Chat v2',
      users: ['42', 'alice@example.com'],
      excludedUsers: ['666'],
      groups: ['beta', 'vip'],
      percentage: 12.5,
      data: { owner: 'support', color: 'teal' },
      hashVersion: 1,
    });
    await rollout(['deactivate-percentage', 'chat'], { env });
    expect((await rolloutJson<Feature>(['show', 'chat'], { env })).percentage).toBe(0);

    const on = await rollout(['activate', 'new_ui'], { env });
    expect(on.stdout).toContain('activated new_ui for everyone (created new_ui)');
    const list = await rolloutJson<Feature[]>(['list'], { env });
    expect(list.map((f) => f.name)).toEqual(['chat', 'new_ui']);
    expect(list[1]?.groups).toEqual(['ALL']);

    const table = await rollout(['list'], { env });
    expect(table.stdout).toMatch(/^NAME\s+STATE\s+PERCENT\s+USERS\s+GROUPS\s+DESCRIPTION$/m);
    expect(table.stdout).toMatch(/^chat\s+partial\s+0 %\s+2\s+beta,vip\s+Chat v2$/m);
    expect(table.stdout).toMatch(/^new_ui\s+on\s+/m);

    await rollout(['deactivate', 'new_ui'], { env });
    expect((await rolloutJson<Feature>(['show', 'new_ui'], { env })).groups).toEqual([]);
    const removed = await rollout(['remove', 'new_ui'], { env });
    expect(removed.code).toBe(0);
    expect((await rolloutJson<Feature[]>(['list'], { env })).map((f) => f.name)).toEqual(['chat']);
  });

  it('commands on a missing feature exit with 3 and create nothing', async () => {
    const { env } = freshStore();
    for (const args of [
      ['show', 'ghost'],
      ['remove', 'ghost'],
      ['set', 'ghost', '--description', 'x'],
      ['deactivate-user', 'ghost', '1'],
      ['include-user', 'ghost', '1'],
      ['deactivate-group', 'ghost', 'vip'],
      ['deactivate-percentage', 'ghost'],
      ['explain', 'ghost', '1'],
    ]) {
      const run = await rollout(args, { env });
      expect(run.code, args.join(' ')).toBe(3);
    }
    expect(await rolloutJson(['list'], { env })).toEqual([]);
  });

  it('explain names the step that decided, for ids and JSON users', async () => {
    const { env } = freshStore();
    await rollout(
      [
        'add',
        'f',
        '--users',
        '1',
        '--excluded-users',
        '2',
        '--groups',
        'vip',
        '--percentage',
        '50',
      ],
      {
        env,
      },
    );
    await rollout(
      ['set', 'f', '--rules', '[{"attribute":"country","operator":"in","values":["NZ"]}]'],
      { env },
    );
    const reason = async (user: string) =>
      (await rolloutJson<Explanation>(['explain', 'f', user], { env })).reason;
    expect(await reason('1')).toBe('USER_LISTED');
    expect(await reason('2')).toBe('USER_EXCLUDED');
    expect(await reason('{"id":"x","groups":["vip"]}')).toBe('GROUP');
    expect(await reason('{"id":"y","country":"NZ"}')).toBe('RULE');
    expect(await reason('{"country":"US"}')).toBe('DEFAULT');
    const text = await rollout(['explain', 'f', '{"id":"y","country":"NZ"}'], { env });
    expect(text.stdout).toContain('f for user y: ON');
    expect(text.stdout).toContain('RULE: rule 1 matched: country in "NZ"');
    // Bucketed users: the explanation shows the bucket, and ON exactly when it is under 50 %.
    for (const id of ['100', '101', '102', '103']) {
      const e = await rolloutJson<Explanation>(['explain', 'f', id], { env });
      expect(e.bucket).toBeTypeOf('number');
      expect(e.enabled).toBe((e.bucket ?? 100) < 50);
    }
  });

  it('colours only on request: none through a pipe, FORCE_COLOR adds them, NO_COLOR and --no-color win', async () => {
    const { env } = freshStore();
    await rollout(['add', 'c', '--groups', 'ALL'], { env });
    expect((await rollout(['list'], { env })).stdout).not.toMatch(ANSI);
    expect((await rollout(['list'], { env: { ...env, FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
    expect(
      (await rollout(['list'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout,
    ).not.toMatch(ANSI);
    expect(
      (await rollout(['list', '--no-color'], { env: { ...env, FORCE_COLOR: '1' } })).stdout,
    ).not.toMatch(ANSI);
  });

  it('a corrupt store file is an error (exit 1) without a stack trace, unless --debug', async () => {
    const { env, path } = freshStore();
    writeFileSync(path, '{ "format": "rollout/v1", "features": { "x": ');
    const run = await rollout(['list'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: /);
    expectNoStack(run);
    const debug = await rollout(['list', '--debug'], { env });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('concurrent CLI processes lose no write (each change is a compare-and-set)', async () => {
    const { env } = freshStore();
    await rollout(['add', 'busy'], { env });
    const ids = Array.from({ length: 8 }, (_, i) => `u${i}`);
    const runs = await Promise.all(
      ids.map((id) => rollout(['activate-user', 'busy', id], { env })),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect((await rolloutJson<Feature>(['show', 'busy'], { env })).users).toEqual(ids);
  });
});

describe('export and import', () => {
  async function seed(env: Record<string, string>) {
    await rollout(['add', 'alpha', '--percentage', '10', '--description', 'first'], { env });
    await rollout(['add', 'beta', '--users', '1,2', '--data', '{"k":[1,2]}'], { env });
    await rollout(['add', 'gamma', '--groups', 'NONE'], { env });
  }

  it('export writes the versioned format; import into another store recreates it; re-import changes nothing', async () => {
    const a = freshStore();
    const b = freshStore();
    await seed(a.env);
    const exported = await rollout(['export'], { env: a.env });
    expect(exported.code).toBe(0);
    const doc = JSON.parse(exported.stdout);
    expect(doc.format).toBe('rollout-export/v1');
    expect(doc.features.map((f: Feature) => f.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(Object.keys(doc.features[0])).toEqual([
      'name',
      'description',
      'groups',
      'users',
      'excludedUsers',
      'percentage',
      'rules',
      'data',
      'hashVersion',
      'createdAt',
      'updatedAt',
    ]);
    expect(doc.features[0]).not.toHaveProperty('version');

    const file = join(dir, `export-${counter}.json`);
    const toFile = await rollout(['export', '--output', file], { env: a.env });
    expect(toFile.stderr).toContain(`exported 3 feature(s) to ${file}`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(doc);

    const first = await rollout(['import', file], { env: b.env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('+ created    alpha');
    expect(first.stdout).toContain('3 created, 0 updated, 0 unchanged');
    const strip = (fs: Feature[]) => fs.map(({ createdAt, updatedAt, version, ...rest }) => rest);
    expect(strip(await rolloutJson<Feature[]>(['list'], { env: b.env }))).toEqual(
      strip(await rolloutJson<Feature[]>(['list'], { env: a.env })),
    );
    const again = await rolloutJson<{ created: number; updated: number; unchanged: number }>(
      ['import', file],
      {
        env: b.env,
      },
    );
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    // Unchanged features were not written: their versions did not move.
    expect((await rolloutJson<Feature>(['show', 'alpha'], { env: b.env })).version).toBe(1);
  });

  it('--dry-run shows the diff and writes nothing; the real run applies it; --prune removes the rest', async () => {
    const { env } = freshStore();
    await seed(env);
    const file = join(dir, `edit-${counter}.json`);
    const doc = JSON.parse((await rollout(['export'], { env })).stdout);
    doc.features[0].percentage = 25;
    doc.features[1].users = ['2', '3'];
    doc.features.splice(2, 1, { name: 'delta', groups: ['ALL'] });
    writeFileSync(file, JSON.stringify(doc));
    const before = readFileSync(freshPath(env), 'utf8');

    const dry = await rollout(['import', file, '--dry-run', '--prune'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('~ would update  alpha');
    expect(dry.stdout).toContain('percentage 10 % → 25 %');
    expect(dry.stdout).toContain('users +3 -1');
    expect(dry.stdout).toContain('+ would create  delta');
    expect(dry.stdout).toContain('- would remove  gamma');
    expect(dry.stdout).toContain(
      'dry run, nothing written: 1 created, 2 updated, 0 unchanged, 1 removed',
    );
    expect(readFileSync(freshPath(env), 'utf8')).toBe(before);

    const real = await rolloutJson<{ created: number; updated: number; removed: number }>(
      ['import', file, '--prune'],
      {
        env,
      },
    );
    expect(real).toMatchObject({ created: 1, updated: 2, removed: 1 });
    const after = await rolloutJson<Feature[]>(['list'], { env });
    expect(after.map((f) => f.name)).toEqual(['alpha', 'beta', 'delta']);
    expect(after[0]?.percentage).toBe(25);
    expect(after[1]?.users).toEqual(['2', '3']);
  });

  it('import reads stdin with -', async () => {
    const { env } = freshStore();
    const input = JSON.stringify({
      format: 'rollout-export/v1',
      features: [{ name: 'piped', percentage: 5 }],
    });
    const run = await rollout(['import', '-'], { env, input });
    expect(run.code).toBe(0);
    expect((await rolloutJson<Feature>(['show', 'piped'], { env })).percentage).toBe(5);
  });

  it('a bad file is refused as a whole (exit 1): nothing is written', async () => {
    const { env, path } = freshStore();
    await rollout(['add', 'keep'], { env });
    const before = readFileSync(path, 'utf8');
    const cases: [string, RegExp][] = [
      ['{"features":[]}', /not a rollout export/],
      ['{"format":"rollout-export/v9","features":[]}', /"rollout-export\/v9" is not supported/],
      ['not json', /not valid JSON/],
      [
        JSON.stringify({
          format: 'rollout-export/v1',
          features: [{ name: 'ok' }, { name: 'bad', percentage: 400 }],
        }),
        /features\[1\] \("bad"\): invalid percentage 400/,
      ],
      [
        JSON.stringify({ format: 'rollout-export/v1', features: [{ name: 'a' }, { name: 'a' }] }),
        /appears more than once/,
      ],
    ];
    for (const [text, message] of cases) {
      const file = join(dir, `bad-${++counter}.json`);
      writeFileSync(file, text);
      const run = await rollout(['import', file], { env });
      expect(run.code, text).toBe(1);
      expect(run.stderr, text).toMatch(message);
      expectNoStack(run);
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
    const missing = await rollout(['import', join(dir, 'nope.json')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });
});

describe('watch', () => {
  it('prints changes made by other processes as they arrive, and exits 0 on SIGINT', async () => {
    const { env } = freshStore();
    await rollout(['add', 'watched'], { env });
    const watch = watchRollout(['watch', '--json'], { env });
    await watch.until(() => watch.stderr().includes('Ctrl-C to stop'), 'its banner', 200);
    await rollout(['activate-percentage', 'watched', '30'], { env });
    await rollout(['add', 'born'], { env });
    await rollout(['remove', 'born'], { env });
    const events = () =>
      watch
        .stdout()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { name: string; change: string; feature: Feature | null });
    await watch.until(
      () => events().some((e) => e.name === 'born' && e.change === 'removed'),
      'the removal',
      200,
    );
    const seen = events();
    expect(
      seen.find((e) => e.name === 'watched' && e.change === 'updated')?.feature?.percentage,
    ).toBe(30);
    expect(seen.some((e) => e.name === 'born' && e.change === 'created')).toBe(true);
    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(0);
  });
});

function freshPath(env: Record<string, string>): string {
  return (env.ROLLOUT_STORE ?? '').replace(/^file:/, '');
}
