import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '@rollout/store-test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// One temp directory for the run; every test gets its own file in it.
const dir = mkdtempSync(join(tmpdir(), 'rollout-file-conformance-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'file',
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'FileStore',
    options: () => ({ path: join(dir, `flags-${++counter}.json`) }),
    // Every write fsyncs the file, its directory and the history sidecar: 8 × 30 keeps the
    // contention group near 20 s on two cores (ROLLOUT_CONTENTION_WRITES=500 for the full run).
    contentionWrites: 30,
  },
);
