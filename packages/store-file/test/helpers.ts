import { spawn } from 'node:child_process';
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

/**
 * Runs a self-killing writer fixture (`node script ...args`); resolves with the names
 * it acknowledged (its `ack <name>` stdout lines) and the signal it died of, if any.
 * Rejects when it exits with an error instead.
 */
export function runKillWriter(
  script: string,
  args: readonly string[],
): Promise<{ acked: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`writer failed: ${err}`));
      const acked = out
        .split('\n')
        .flatMap((line) => (line.startsWith('ack ') ? [line.split(' ')[1] as string] : []));
      resolve({ acked, signal });
    });
  });
}
