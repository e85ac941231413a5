import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Feature, isRolloutError } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { COMPACT_MIN_BYTES } from '../src/history-append.js';
import { FileStore } from '../src/index.js';
import { feature, tempDir } from './helpers.js';

const dirs = tempDir('history');

function fresh(options: { historyLimit?: number } = {}): { path: string; store: FileStore } {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'flags.json');
  return { path, store: new FileStore({ path, watch: false, ...options }) };
}

/** The sidecar's lines: the header, then one entry per line (a torn last line as it is). */
function sidecarLines(store: FileStore): string[] {
  return readFileSync(store.historyPath, 'utf8').split('\n');
}

/** The sidecar's entry lines, parsed (header and trailing newline left out). */
function sidecarEntries(store: FileStore): { revision: number; name: string; actor?: string }[] {
  return sidecarLines(store)
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('history sidecar (JSON lines)', () => {
  it('lives beside the flags file: a header, then one line per write; the flags file keeps its layout', async () => {
    const { path, store } = fresh();
    const a = await store.put(feature({ name: 'a' }), 0, {
      actor: 'ana',
      note: 'first "one" \\ é',
    });
    await store.put({ ...a, percentage: 5 }, 1);
    expect(store.historyPath).toBe(`${path}.history.json`);
    const lines = sidecarLines(store);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ format: 'rollout-history/v2' });
    // Two entries, each one line, and a final newline.
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(sidecarEntries(store).map((e) => [e.revision, e.name, e.actor])).toEqual([
      [1, 'a', 'ana'],
      [2, 'a', undefined],
    ]);
    expect((await store.history())[1]?.note).toBe('first "one" \\ é');
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual([
      'format',
      'revision',
      'features',
    ]);
    await store.close();
  });

  it('a write appends its line without rewriting the file', async () => {
    const { store } = fresh();
    let a = await store.put(feature({ name: 'a' }), 0);
    const before = statSync(store.historyPath);
    a = await store.put({ ...a, percentage: 5 }, a.version);
    const after = statSync(store.historyPath);
    // Same inode: appended in place, not replaced (a rewrite renames a new file over it).
    expect(after.ino).toBe(before.ino);
    expect(after.size).toBeGreaterThan(before.size);
    await store.close();
  });

  it('hides an entry whose flags-file write never landed, and the next write supersedes it', async () => {
    const { store } = fresh();
    const v1 = await store.put(feature({ name: 'a' }), 0);
    // As if a writer died between its append and the flags file: an entry at revision 2.
    const [first] = sidecarEntries(store);
    appendFileSync(
      store.historyPath,
      `${JSON.stringify({ ...first, revision: 2, version: 2, actor: 'ghost' })}\n`,
    );
    expect((await store.history()).map((e) => e.revision)).toEqual([1]);
    await store.put({ ...v1, percentage: 5 }, 1, { actor: 'real' });
    expect((await store.history()).map((e) => [e.revision, e.actor])).toEqual([
      [2, 'real'],
      [1, undefined],
    ]);
    // The ghost is still in the file (append-only) but can never be seen again.
    expect(sidecarEntries(store).map((e) => e.actor)).toEqual([undefined, 'ghost', 'real']);
    await store.close();
  });

  it('a torn last line (a writer killed mid-append) is ignored, then cut off by the next write', async () => {
    const { store } = fresh();
    let a = await store.put(feature({ name: 'a' }), 0);
    a = await store.put({ ...a, percentage: 5 }, 1);
    const line = sidecarLines(store)[2] as string;
    appendFileSync(store.historyPath, line.slice(0, 40)); // half a line, no newline
    expect((await store.history()).map((e) => e.revision)).toEqual([2, 1]);
    await store.put({ ...a, percentage: 6 }, 2, { actor: 'next' });
    const lines = sidecarLines(store);
    expect(lines.at(-1)).toBe('');
    expect(sidecarEntries(store).map((e) => e.revision)).toEqual([1, 2, 3]);
    expect((await store.history()).map((e) => [e.revision, e.actor])).toEqual([
      [3, 'next'],
      [2, undefined],
      [1, undefined],
    ]);
    await store.close();
  });

  it('a torn line longer than the new one is cut off whole', async () => {
    const { store } = fresh();
    const a = await store.put(feature({ name: 'a' }), 0);
    appendFileSync(store.historyPath, `{"revision":2,"name":"a","note":"${'x'.repeat(200_000)}`);
    await store.put({ ...a, percentage: 5 }, 1);
    expect(sidecarEntries(store).map((e) => e.revision)).toEqual([1, 2]);
    await store.close();
  });

  it('a corrupt line in the middle is a CorruptDataError at path:line', async () => {
    const { store } = fresh();
    let a = await store.put(feature({ name: 'a' }), 0);
    a = await store.put({ ...a, percentage: 5 }, 1);
    const lines = sidecarLines(store);
    lines[1] = '{"revision": 1, "name": "a", "at": "x", "feature": {"nope": true}}';
    lines.splice(2, 0, 'not json');
    writeFileSync(store.historyPath, lines.join('\n'));
    // Newest first and lazy: the page of one entry does not reach the damage.
    expect((await store.history({ limit: 1 })).map((e) => e.revision)).toEqual([2]);
    const error = await store.history().catch((e: unknown) => e);
    expect(isRolloutError(error, 'CORRUPT_DATA')).toBe(true);
    expect((error as Error).message).toContain(`${store.historyPath}:3`);
    expect((error as Error).message).toContain('not a JSON line');
    // A line that is JSON but holds an invalid record is named too.
    lines.splice(2, 1);
    writeFileSync(store.historyPath, lines.join('\n'));
    const invalid = await store.history().catch((e: unknown) => e);
    expect(isRolloutError(invalid, 'CORRUPT_DATA')).toBe(true);
    expect((invalid as Error).message).toContain(`${store.historyPath}:2`);
    await store.close();
  });

  it('a sidecar of neither format is a CorruptDataError naming it, and is not overwritten', async () => {
    const { store } = fresh();
    await store.put(feature({ name: 'a' }), 0);
    writeFileSync(store.historyPath, '{"format": "nope"}');
    const error = await store.history().catch((e: unknown) => e);
    expect(isRolloutError(error, 'CORRUPT_DATA')).toBe(true);
    expect((error as Error).message).toContain(store.historyPath);
    const write = await store.put(feature({ name: 'b' }), 0).catch((e: unknown) => e);
    expect(isRolloutError(write, 'CORRUPT_DATA')).toBe(true);
    expect(readFileSync(store.historyPath, 'utf8')).toBe('{"format": "nope"}');
    await store.close();
  });

  it('a header of an unknown (newer) format is refused, never appended to', async () => {
    const { store } = fresh();
    await store.put(feature({ name: 'a' }), 0);
    const text = '{"format":"rollout-history/v9"}\n';
    writeFileSync(store.historyPath, text);
    const write = await store.put(feature({ name: 'b' }), 0).catch((e: unknown) => e);
    expect(isRolloutError(write, 'CORRUPT_DATA')).toBe(true);
    expect((write as Error).message).toContain('rollout-history/v9');
    expect(readFileSync(store.historyPath, 'utf8')).toBe(text);
    expect(await store.get('b')).toBeUndefined();
    await store.close();
  });

  it('retention: history() shows the last historyLimit per feature; compaction trims the file', async () => {
    const { store } = fresh({ historyLimit: 3 });
    // Big records (whole features with many users), so the file passes COMPACT_MIN_BYTES soon.
    const users = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);
    let big: Feature = await store.put(feature({ name: 'big', users }), 0);
    await store.put(feature({ name: 'small' }), 0);
    // The bytes of one update's entry (it holds the record before and after).
    const start = statSync(store.historyPath).size;
    big = await store.put({ ...big, percentage: 1 }, big.version);
    const entryBytes = statSync(store.historyPath).size - start;
    const writes = Math.ceil((4 * COMPACT_MIN_BYTES) / entryBytes) + 5;
    let inode = statSync(store.historyPath).ino;
    let rewrites = 0;
    for (let i = 1; i <= writes; i++) {
      big = await store.put({ ...big, percentage: i % 100 }, big.version);
      const now = statSync(store.historyPath).ino;
      if (now !== inode) rewrites++;
      inode = now;
      const newest = [big.version, big.version - 1, big.version - 2].filter((v) => v > 0);
      expect((await store.history({ name: 'big' })).map((e) => e.version)).toEqual(newest);
    }
    expect(rewrites).toBeGreaterThan(0);
    // Bounded: about twice the retained entries (3 of big, 1 of small) or COMPACT_MIN_BYTES,
    // plus the entry that passed the bound; never the whole history.
    const lines = sidecarEntries(store);
    expect(lines.length).toBeLessThan(writes);
    expect(readFileSync(store.historyPath).length).toBeLessThan(
      Math.max(2 * 4 * entryBytes, COMPACT_MIN_BYTES) + 2 * entryBytes,
    );
    // The other feature's entry survives every compaction.
    expect((await store.history({ name: 'small' })).map((e) => e.version)).toEqual([1]);
    const header = JSON.parse(sidecarLines(store)[0] as string);
    expect(header.compacted).toBeGreaterThan(0);
    await store.close();
  });

  it('pages newest first with before and limit across appended lines', async () => {
    const { store } = fresh();
    let a = await store.put(feature({ name: 'a' }), 0);
    await store.put(feature({ name: 'b' }), 0);
    for (let i = 0; i < 5; i++) a = await store.put({ ...a, percentage: i }, a.version);
    const page1 = await store.history({ name: 'a', limit: 2 });
    expect(page1.map((e) => e.version)).toEqual([6, 5]);
    const page2 = await store.history({ limit: 3, before: page1[1]?.revision });
    expect(page2.map((e) => `${e.name}@${e.version}`)).toEqual(['a@4', 'a@3', 'a@2']);
    const rest = await store.history({ limit: 10, before: page2[2]?.revision });
    expect(rest.map((e) => `${e.name}@${e.version}`)).toEqual(['b@1', 'a@1']);
    await store.close();
  });
});

describe('history sidecar written by the v1 format (one JSON document)', () => {
  // Written by @rollout/store-file before the JSON-lines format, with historyLimit 3:
  // alpha added then updated 3 times (its first entry trimmed), beta added then removed.
  const fixture = fileURLToPath(new URL('./fixtures/v1/flags.json', import.meta.url));

  function copyFixture(): string {
    const dir = dirs();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'flags.json');
    copyFileSync(fixture, path);
    copyFileSync(`${fixture}.history.json`, `${path}.history.json`);
    return path;
  }

  it('is read as it is', async () => {
    const path = copyFixture();
    const store = new FileStore({ path, watch: false });
    const entries = await store.history();
    expect(entries.map((e) => [e.revision, e.name, e.version, e.action, e.actor])).toEqual([
      [6, 'beta', 2, 'remove', 'bob'],
      [5, 'alpha', 4, 'update', undefined],
      [4, 'alpha', 3, 'update', undefined],
      [3, 'beta', 1, 'add', undefined],
      [2, 'alpha', 2, 'update', 'ana'],
    ]);
    expect(entries[0]?.previous?.groups).toEqual(['vip']);
    expect(entries[1]?.note).toBe('four');
    expect(readFileSync(`${path}.history.json`, 'utf8').startsWith('{\n')).toBe(true);
    await store.close();
  });

  it('is migrated to JSON lines by the first write, keeping every entry (and retention)', async () => {
    const path = copyFixture();
    const store = new FileStore({ path, watch: false, historyLimit: 3 });
    const before = await store.history();
    const alpha = (await store.get('alpha')) as Feature;
    await store.put({ ...alpha, percentage: 40 }, alpha.version, { actor: 'cy' });
    const lines = sidecarLines(store);
    expect(JSON.parse(lines[0] as string).format).toBe('rollout-history/v2');
    const after = await store.history();
    // alpha's oldest kept entry (revision 2) makes room for the new one: 3 per feature.
    expect(after.map((e) => [e.revision, e.name, e.version])).toEqual([
      [7, 'alpha', 5],
      [6, 'beta', 2],
      [5, 'alpha', 4],
      [4, 'alpha', 3],
      [3, 'beta', 1],
    ]);
    expect(after.slice(1)).toEqual(before.slice(0, 4));
    // Later writes append to the migrated file.
    const ino = statSync(store.historyPath).ino;
    await store.put(feature({ name: 'gamma' }), 0);
    expect(statSync(store.historyPath).ino).toBe(ino);
    await store.close();
  });

  it('a v1 document that does not parse is a CorruptDataError, and the first write refuses it', async () => {
    const path = copyFixture();
    const text = readFileSync(`${path}.history.json`, 'utf8').slice(0, 300);
    writeFileSync(`${path}.history.json`, text);
    const store = new FileStore({ path, watch: false });
    expect(isRolloutError(await store.history().catch((e: unknown) => e), 'CORRUPT_DATA')).toBe(
      true,
    );
    const write = await store.put(feature({ name: 'x' }), 0).catch((e: unknown) => e);
    expect(isRolloutError(write, 'CORRUPT_DATA')).toBe(true);
    expect(readFileSync(`${path}.history.json`, 'utf8')).toBe(text);
    await store.close();
  });
});
