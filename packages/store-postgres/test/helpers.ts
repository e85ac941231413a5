import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from '@rollout/test-servers';

/** The built package, as users (and child processes) import it. */
export const DIST = new URL('../dist/index.js', import.meta.url).href;

/** A fresh schema name, so every test has its own empty tables. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/**
 * Polls `check` until it returns something truthy, and returns that. Fails with
 * `what` after `timeoutMs`: a generous deadline for "eventually", not a speed check.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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
