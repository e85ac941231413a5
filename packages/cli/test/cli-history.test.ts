import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEntry } from '@rollout/core';
import { afterAll, describe, expect, it } from 'vitest';
import { rollout, rolloutJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rollout-cli-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function freshEnv(): Record<string, string> {
  return { ROLLOUT_STORE: `file:${join(dir, `flags-${++counter}.json`)}`, USER: 'ana' };
}

describe('history and restore', () => {
  it('records --actor (default $USER@hostname) and shows who changed what', async () => {
    const env = freshEnv();
    expect((await rollout(['add', 'checkout', '--percentage', '10'], { env })).code).toBe(0);
    expect(
      (await rollout(['--actor', 'ci-bot', 'activate-percentage', 'checkout', '50'], { env })).code,
    ).toBe(0);
    const table = await rollout(['history', 'checkout'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/WHEN\s+WHO\s+VERSION\s+ACTION\s+CHANGE/);
    expect(table.stdout).toMatch(/ci-bot\s+2\s+update\s+percentage 10 % → 50 %/);
    expect(table.stdout).toMatch(/ana@\S+\s+1\s+add\s+created: percentage 0 % → 10 %/);
    const entries = await rolloutJson<HistoryEntry[]>(['history', '--limit', '1'], { env });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: 'checkout', version: 2, actor: 'ci-bot' });
  });

  it('restore writes a version back with --actor and --note, also after a remove', async () => {
    const env = freshEnv();
    await rollout(['add', 'checkout', '--percentage', '10'], { env });
    await rollout(['activate-percentage', 'checkout', '80'], { env });
    const restored = await rollout(
      ['--actor', 'oncall', 'restore', 'checkout', '1', '--note', 'incident 4711'],
      { env },
    );
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('restored checkout to version 1 (now version 3)');
    await rollout(['remove', 'checkout'], { env });
    expect((await rollout(['restore', 'checkout', '3'], { env })).code).toBe(0);
    const entries = await rolloutJson<HistoryEntry[]>(['history', 'checkout'], { env });
    expect(entries.map((e) => e.action)).toEqual(['restore', 'remove', 'restore', 'update', 'add']);
    expect(entries[2]).toMatchObject({ actor: 'oncall', note: 'incident 4711' });
    expect(entries[0]?.feature?.percentage).toBe(10);
    const missing = await rollout(['restore', 'checkout', '99'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no version 99');
  });

  it('a bad --actor or VERSION is one clear line and exit 2', async () => {
    const env = freshEnv();
    const actor = await rollout(['--actor', ' x', 'activate', 'f'], { env });
    expect(actor.code).toBe(2);
    expect(actor.stderr).toContain('actor');
    const version = await rollout(['restore', 'f', 'latest'], { env });
    expect(version.code).toBe(2);
  });

  it('works against sqlite: each run a new process on one database file', async () => {
    const env = { ROLLOUT_STORE: `sqlite://${join(dir, `flags-${++counter}.db`)}`, USER: 'ana' };
    expect((await rollout(['add', 'checkout', '--percentage', '10'], { env })).code).toBe(0);
    expect(
      (await rollout(['--actor', 'ci-bot', 'activate-percentage', 'checkout', '50'], { env })).code,
    ).toBe(0);
    const table = await rollout(['history', 'checkout'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ci-bot\s+2\s+update\s+percentage 10 % → 50 %/);
    expect(table.stdout).toMatch(/ana@\S+\s+1\s+add\s+created: percentage 0 % → 10 %/);
    const restored = await rollout(['restore', 'checkout', '1', '--note', 'too fast'], { env });
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('restored checkout to version 1 (now version 3)');
    const entries = await rolloutJson<HistoryEntry[]>(['history', '--limit', '2'], { env });
    expect(entries.map((e) => [e.action, e.version, e.note])).toEqual([
      ['restore', 3, 'too fast'],
      ['update', 2, undefined],
    ]);
    expect(entries[0]?.feature?.percentage).toBe(10);
    expect(entries[0]?.previous?.percentage).toBe(50);
  });

  it('a store without history says so, naming it', async () => {
    const run = await rollout(['history'], { env: { ROLLOUT_STORE: 'memory:' } });
    // memory: keeps history; every run is a fresh store, so there is simply none yet.
    expect(run.code).toBe(0);
    expect(run.stderr + run.stdout).toContain('no history yet');
  });
});
