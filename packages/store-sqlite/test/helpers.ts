import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A temp directory removed after the file's tests; `file(label)` names a fresh database in it. */
export function tempFiles(label: string): { dir: string; file: (name?: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `rollout-sqlite-${label}-`));
  let counter = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, file: (name = 'flags') => join(dir, `${name}-${++counter}.db`) };
}
