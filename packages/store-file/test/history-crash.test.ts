import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryEntry } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { feature, runKillWriter, tempDir } from './helpers.js';

const writer = fileURLToPath(new URL('./fixtures/history-kill-writer.mjs', import.meta.url));
const dirs = tempDir('history-crash');

/** Runs the self-killing writer; resolves with the names it acknowledged and how it ended. */
function runWriter(
  path: string,
  prefix: string,
  writes: number,
  users: number,
  kill: number | 'flags-rename' | 'torn-append',
): Promise<{ acked: string[]; signal: NodeJS.Signals | null }> {
  return runKillWriter(writer, [path, prefix, String(writes), String(users), String(kill)]);
}

/** Every visible entry, newest first, paging with `before`. */
async function allHistory(store: FileStore): Promise<HistoryEntry[]> {
  const all: HistoryEntry[] = [];
  for (;;) {
    const before = all.at(-1)?.revision;
    const page = await store.history({ limit: 1000, ...(before ? { before } : {}) });
    all.push(...page);
    if (page.length < 1000) return all;
  }
}

/**
 * The sidecar's promise after any crash: every feature in the flags file (each written
 * once, by an `add`) has exactly one visible entry, no entry names a feature the file
 * does not hold, and revisions are unique and below the file's.
 */
async function checkOneEntryPerWrite(path: string, acked: Iterable<string>): Promise<void> {
  const store = new FileStore({ path, watch: false });
  try {
    const { features, revision } = await store.snapshot();
    const names = features.map((f) => f.name).sort();
    for (const name of acked) expect(names).toContain(name);
    const entries = await allHistory(store);
    expect(entries.map((e) => e.name).sort()).toEqual(names);
    expect(entries.every((e) => e.action === 'add' && e.revision <= revision)).toBe(true);
    expect(new Set(entries.map((e) => e.revision)).size).toBe(entries.length);
  } finally {
    await store.close();
  }
}

function fresh(): string {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  return join(dir, 'flags.json');
}

describe('history sidecar when a writer is killed', () => {
  it('between its history append and the flags file: the entry stays invisible, the next write supersedes it', async () => {
    const path = fresh();
    const { acked, signal } = await runWriter(path, 'w', 3, 0, 'flags-rename');
    expect(signal).toBe('SIGKILL');
    expect(acked).toEqual([]);
    // The crash window was really hit: the sidecar holds the dead write's entry...
    const raw = readFileSync(`${path}.history.json`, 'utf8').split('\n');
    expect(JSON.parse(raw[1] as string)).toMatchObject({ revision: 1, name: 'w-0' });
    const store = new FileStore({ path, watch: false });
    // ...which no reader sees, since its write never landed.
    expect(await store.revision()).toBe(0);
    expect(await store.history()).toEqual([]);
    // The next write (the dead one's lock is broken at once) gets revision 1 and its entry.
    await store.put(feature({ name: 'next' }), 0);
    expect((await store.history()).map((e) => [e.revision, e.name])).toEqual([[1, 'next']]);
    await store.close();
    await checkOneEntryPerWrite(path, ['next']);
  });

  it('halfway through appending its line: earlier entries survive, the torn line is cut off', async () => {
    const path = fresh();
    const first = await runWriter(path, 'a', 2, 0, 0);
    expect(first.acked).toEqual(['a-0', 'a-1']);
    const { acked, signal } = await runWriter(path, 'b', 2, 0, 'torn-append');
    expect(signal).toBe('SIGKILL');
    expect(acked).toEqual([]);
    const text = readFileSync(`${path}.history.json`, 'utf8');
    expect(text.endsWith('\n')).toBe(false); // really torn
    await checkOneEntryPerWrite(path, first.acked);
    const again = await runWriter(path, 'c', 2, 0, 0);
    expect(again.acked).toEqual(['c-0', 'c-1']);
    expect(readFileSync(`${path}.history.json`, 'utf8').endsWith('\n')).toBe(true);
    await checkOneEntryPerWrite(path, [...first.acked, ...again.acked]);
  });

  it('at random points of 24 writes in a row (appends and compactions): one entry per write', async () => {
    const path = fresh();
    const acked: string[] = [];
    // Count one write's file system calls, then kill later writers at random points.
    const probe = await runWriter(path, 'probe', 1, 0, 0);
    acked.push(...probe.acked);
    let killed = 0;
    for (let round = 0; round < 24; round++) {
      // ~24 file system calls per write; 3 writes each; big records so the sidecar compacts every few rounds.
      const killAt = 1 + Math.floor(Math.random() * 80);
      const result = await runWriter(path, `r${round}`, 3, 1_500, killAt);
      if (result.signal === 'SIGKILL') killed++;
      acked.push(...result.acked);
      await checkOneEntryPerWrite(path, acked);
    }
    expect(killed).toBeGreaterThan(12);
    // The sidecar was rewritten whole (compacted) along the way, not only appended to.
    const header = JSON.parse(
      readFileSync(`${path}.history.json`, 'utf8').split('\n')[0] as string,
    );
    expect(header.compacted).toBeGreaterThan(64 * 1024);
  }, 120_000);
});
