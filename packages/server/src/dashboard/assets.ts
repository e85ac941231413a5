import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Content types of the dashboard's static files (`assets/`), by extension. */
const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

// A bare file name with a known extension: nothing but the assets directory is reachable.
const ASSET_NAME = /^[a-z][a-z-]*\.(js|css|svg)$/;

/** The content type of an asset name, or undefined when it cannot be an asset. */
export function assetType(name: string): string | undefined {
  const match = ASSET_NAME.exec(name);
  return match?.[1] === undefined ? undefined : TYPES[match[1]];
}

const cache = new Map<string, string>();

/**
 * Reads a shipped asset (once; then from memory). `assets/` sits beside `dist/`
 * in the published package and two levels above this file in the source tree.
 * Undefined for names that are not assets (or absent), so nothing else on disk is reachable.
 */
export function readAsset(name: string): string | undefined {
  if (assetType(name) === undefined) return undefined;
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  for (const relative of ['../assets/', '../../assets/']) {
    try {
      const text = readFileSync(fileURLToPath(new URL(relative + name, import.meta.url)), 'utf8');
      cache.set(name, text);
      return text;
    } catch {
      // Not at this depth: the other layout (source or dist).
    }
  }
  return undefined;
}
