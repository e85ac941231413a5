import { cpSync, mkdirSync, readlinkSync, renameSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FeatureStore } from '@rollout/core';
import type { FileStore } from '../src/index.js';

/**
 * Store directories that can be replaced at once, as a Kubernetes ConfigMap volume
 * or a deploy that switches a `current` link does it: `<root>/<n>` is a symbolic link
 * to the real directory `<root>/<n>.v0`, and each store's file lives under the link.
 */
export function swappableDirectories(root: string): () => string {
  let n = 0;
  return () => {
    const link = join(root, String(++n));
    mkdirSync(`${link}.v0`);
    symlinkSync(`${link}.v0`, link);
    return link;
  };
}

/**
 * The conformance suite's `interruptPush` for file stores under
 * {@link swappableDirectories}: replaces the store's directory with a copy, atomically
 * (a new link renamed over the old one), as a ConfigMap update or a deploy does. The
 * store's directory watch still watches the old directory, so it hears nothing of
 * the writes `duringGap` makes in the new one; the store must notice the replacement
 * by itself (its poll timer), watch the new directory and resync. Nothing outside
 * the store can tell when it has, so this resolves after `duringGap`.
 */
export async function interruptFilePush(
  featureStore: FeatureStore,
  duringGap: () => Promise<void>,
): Promise<void> {
  const link = dirname((featureStore as FileStore).path);
  const current = readlinkSync(link);
  const version = Number(/\.v(\d+)$/.exec(current)?.[1] ?? Number.NaN);
  if (!Number.isInteger(version)) throw new Error(`${link} is not a swappable directory`);
  const next = `${link}.v${version + 1}`;
  cpSync(current, next, { recursive: true });
  symlinkSync(next, `${link}.swap`);
  renameSync(`${link}.swap`, link);
  await duringGap();
}
