import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '@rollout/store-test-suite';
import { afterAll, describe, it } from 'vitest';

// One temp directory for the run; every test gets its own database file in it,
// which the multi-process group's children open too.
const dir = mkdtempSync(join(tmpdir(), 'rollout-sqlite-conformance-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreConformance(
  { describe, it, afterAll },
  {
    name: 'sqlite',
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'SqliteStore',
    options: () => ({ path: join(dir, `flags-${++counter}.db`), pollIntervalMs: 50 }),
  },
);
