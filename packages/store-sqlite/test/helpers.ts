import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../src/index.js';

/** A temp directory removed after the file's tests; `file(label)` names a fresh database in it. */
export function tempFiles(label: string): { dir: string; file: (name?: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `rollout-sqlite-${label}-`));
  let counter = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, file: (name = 'flags') => join(dir, `${name}-${++counter}.db`) };
}

/** `store(path, options?)` opens a SqliteStore that is closed after each test. */
export function storesClosedAfterEach(): (
  path: string,
  options?: Partial<SqliteStoreOptions>,
) => SqliteStore {
  const open: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  return (path, options = {}) => {
    const s = new SqliteStore({ path, ...options });
    open.push(s);
    return s;
  };
}
