import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FeatureInput } from '@rollout/core';
import type { MemcacheStoreOptions } from '../src/index.js';

const script = fileURLToPath(new URL('./fixtures/child-writer.mjs', import.meta.url));

/** What the child process does with its own store. */
export type ChildAction =
  | { type: 'activateUser'; name: string; user: string | number }
  | { type: 'addFeature'; feature: FeatureInput }
  | { type: 'removeFeature'; name: string };

/** Runs one write in a separate node process (its own memjs connection) and waits for it to exit. */
export function runChild(options: MemcacheStoreOptions, action: ChildAction): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(options), JSON.stringify(action)],
      (error, stdout, stderr) => {
        if (error) reject(new Error(`child writer failed: ${stderr || error.message}`));
        else if (stdout.trim() !== 'done') reject(new Error(`child writer said ${stdout}`));
        else resolve();
      },
    );
  });
}
