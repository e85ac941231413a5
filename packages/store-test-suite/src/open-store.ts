import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FeatureStore } from '@rollout/core';

/** A constructor of stores, as the module under test exports it. */
export type StoreConstructor = new (options: unknown) => FeatureStore;

/** Imports `exportName` from `module` (file URL, absolute path or package name). */
export async function loadStoreClass(
  module: string,
  exportName: string,
): Promise<StoreConstructor> {
  const specifier = isAbsolute(module) ? pathToFileURL(module).href : module;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const ctor = mod[exportName];
  if (typeof ctor !== 'function') {
    throw new Error(
      `[rollout] [store-test-suite] ${module} has no export ${JSON.stringify(exportName)}`,
    );
  }
  return ctor as StoreConstructor;
}
