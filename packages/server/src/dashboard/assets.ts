import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The dashboard's static files, shipped in the package's `assets/` directory. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

const cache = new Map<string, string>();

/**
 * Reads a shipped asset (once; then from memory). `assets/` sits beside `dist/`
 * in the published package and two levels above this file in the source tree.
 * Undefined for names that are not assets, so nothing else on disk is reachable.
 */
export function readAsset(name: string): string | undefined {
  if (!Object.hasOwn(ASSET_TYPES, name)) return undefined;
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
