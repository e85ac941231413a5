import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '@rollout/store-test-suite';
import { findBinary } from '@rollout/test-servers';

/** The built package, as users (and child processes) import it. */
export const DIST = new URL('../dist/index.js', import.meta.url).href;

/** A fresh schema name, so every test has its own empty tables (a plain SQL identifier: no `-`). */
export function freshSchema(prefix = 't'): string {
  return uniqueName(prefix).replaceAll('-', '_');
}

/** psql from the same places the test servers look for PostgreSQL (Debian keeps it off PATH). */
export function psqlBinary(): string {
  const root = '/usr/lib/postgresql';
  const dirs = existsSync(root)
    ? readdirSync(root)
        .filter((major) => /^\d+$/.test(major))
        .sort((a, b) => Number(b) - Number(a))
        .map((major) => join(root, major, 'bin'))
    : [];
  return findBinary('psql', 'postgresql-client', dirs);
}
