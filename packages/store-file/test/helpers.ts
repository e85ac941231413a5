import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Feature, type FeatureInput, featureFromInput } from '@rollout/core';
import { afterAll } from 'vitest';

/** A temp directory for this test file, removed after it. */
export function tempDir(label: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `rollout-file-${label}-`));
  let n = 0;
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return () => {
    const dir = join(root, String(++n));
    return dir;
  };
}

/** A feature as a client would hand it to `put`, with fixed timestamps. */
export function feature(input: FeatureInput): Feature {
  return featureFromInput(input, '2026-01-02T03:04:05.000Z');
}

/** The built package, as child processes import it. */
export const DIST = new URL('../dist/index.js', import.meta.url).href;
