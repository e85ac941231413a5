import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FeatureStore } from '@rollout/core';

/** A constructor of stores, as the module under test exports it. */
export type StoreConstructor = new (options: unknown) => FeatureStore;

/** A store package's `storeFromUrl`: a store for a URL of its scheme, StoreUrlError otherwise. */
export type StoreFromUrl = (url: URL) => FeatureStore | Promise<FeatureStore>;

/** Imports `exportName` from `module` (file URL, absolute path or package name). */
export async function loadStoreClass(
  module: string,
  exportName: string,
): Promise<StoreConstructor> {
  return (await loadFunction(module, exportName)) as StoreConstructor;
}

/** Imports the `storeFromUrl` export of `module`, which every store package has. */
export async function loadStoreFromUrl(module: string): Promise<StoreFromUrl> {
  return (await loadFunction(module, 'storeFromUrl')) as StoreFromUrl;
}

async function loadFunction(module: string, exportName: string): Promise<unknown> {
  const specifier = isAbsolute(module) ? pathToFileURL(module).href : module;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const value = mod[exportName];
  if (typeof value !== 'function') {
    throw new Error(
      `[rollout] [store-test-suite] ${module} has no export ${JSON.stringify(exportName)}`,
    );
  }
  return value;
}
