import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '@rollout/store-test-suite';
import { findBinary, type PostgresServer, usePostgres } from '@rollout/test-servers';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

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

/**
 * The test PostgreSQL of one test file and a small pool for looking at its tables
 * directly: started (or reused) before the file's tests, ended after them.
 */
export function serverWithAdmin(): { readonly server: PostgresServer; readonly admin: pg.Pool } {
  const handle = {} as { server: PostgresServer; admin: pg.Pool };
  beforeAll(async () => {
    handle.server = await usePostgres();
    handle.admin = new pg.Pool({ connectionString: handle.server.url, max: 2 });
    // The server's shutdown at the end reaches idle connections as an error event.
    handle.admin.on('error', () => undefined);
  });
  afterAll(async () => {
    await handle.admin?.end();
    await handle.server?.kill();
  });
  return handle;
}
