import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '@rollout/store-test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interruptFilePush, swappableDirectories } from './push-interruption.js';

// One temp directory for the run; every test gets its own directory in it, behind a
// link that interruptPush can switch to a copy (the store's watch then goes deaf).
const root = mkdtempSync(join(tmpdir(), 'rollout-file-conformance-'));
const directory = swappableDirectories(root);
afterAll(() => rmSync(root, { recursive: true, force: true }));

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'file',
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'FileStore',
    options: () => ({ path: join(directory(), 'flags.json') }),
    // Every write fsyncs the file, its directory and the history sidecar: 8 × 30 keeps the
    // contention group near 20 s on two cores (ROLLOUT_CONTENTION_WRITES=500 for the full run).
    contentionWrites: 30,
    interruptPush: interruptFilePush,
  },
);
