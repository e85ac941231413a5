import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRolloutError } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { feature, tempDir } from './helpers.js';

const dirs = tempDir('history');

function fresh(): { path: string; store: FileStore } {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'flags.json');
  return { path, store: new FileStore({ path }) };
}

describe('history sidecar', () => {
  it('lives beside the flags file and leaves the flags file as it was', async () => {
    const { path, store } = fresh();
    await store.put(feature({ name: 'a' }), 0, { actor: 'ana', note: 'first' });
    expect(store.historyPath).toBe(`${path}.history.json`);
    const sidecar = JSON.parse(readFileSync(store.historyPath, 'utf8'));
    expect(sidecar.format).toBe('rollout-history/v1');
    expect(sidecar.entries).toHaveLength(1);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual([
      'format',
      'revision',
      'features',
    ]);
    await store.close();
  });

  it('hides an entry whose flags-file write never landed, and the next write replaces it', async () => {
    const { store } = fresh();
    const v1 = await store.put(feature({ name: 'a' }), 0);
    // As if a writer crashed between the sidecar and the flags file: an entry at revision 2.
    const sidecar = JSON.parse(readFileSync(store.historyPath, 'utf8'));
    const ghost = { ...sidecar.entries[0], revision: 2, version: 2, actor: 'ghost' };
    writeFileSync(
      store.historyPath,
      JSON.stringify({ ...sidecar, entries: [...sidecar.entries, ghost] }),
    );
    expect((await store.history()).map((e) => e.revision)).toEqual([1]);
    await store.put({ ...v1, percentage: 5 }, 1, { actor: 'real' });
    const entries = await store.history();
    expect(entries.map((e) => [e.revision, e.actor])).toEqual([
      [2, 'real'],
      [1, undefined],
    ]);
    await store.close();
  });

  it('a damaged sidecar is a CorruptDataError naming it', async () => {
    const { store } = fresh();
    await store.put(feature({ name: 'a' }), 0);
    writeFileSync(store.historyPath, '{"format": "nope"}');
    const error = await store.history().catch((e: unknown) => e);
    expect(isRolloutError(error, 'CORRUPT_DATA')).toBe(true);
    expect((error as Error).message).toContain(store.historyPath);
    await store.close();
  });
});
