import { randomUUID } from 'node:crypto';
import type { FeatureStore } from '@rollout/core';
import { waitFor } from '@rollout/store-test-suite';
import pg from 'pg';
import type { PostgresStore } from '../src/index.js';

/** A login role that only the stores' LISTEN connections use (`listenConnectionString`). */
export interface ListenRole {
  /** The role's name. */
  readonly name: string;
  /** `connectionString` with the role as user: give it as `listenConnectionString`. */
  readonly listenConnectionString: string;
  /** Drops the role (errors ignored: a server that is already gone took it along). */
  drop(): Promise<void>;
}

/** Runs `body` on a fresh admin connection to `connectionString`. */
async function asAdmin<T>(connectionString: string, body: (admin: pg.Client) => Promise<T>) {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    return await body(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Creates a role for the LISTEN connections, so a gap can be held open for them
 * alone: the pools keep the superuser, and `ALTER ROLE ... NOLOGIN` refuses only
 * the LISTEN connection's reconnection attempts, as a server refusing connections
 * during a failover would.
 */
export async function createListenRole(connectionString: string): Promise<ListenRole> {
  const name = `rollout_listen_${randomUUID().replaceAll('-', '')}`;
  const password = randomUUID();
  await asAdmin(connectionString, (admin) =>
    admin.query(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN PASSWORD '${password}'`),
  );
  const url = new URL(connectionString);
  url.username = name;
  url.password = password;
  return {
    name,
    listenConnectionString: url.href,
    drop: () =>
      asAdmin(connectionString, (admin) =>
        admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`),
      ).then(
        () => undefined,
        () => undefined,
      ),
  };
}

/** The backends of `role` whose last statement was `LISTEN <channel>`. */
async function listeners(admin: pg.Client, role: string, channel: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE usename = $1 AND query = $2',
    [role, `LISTEN ${pg.escapeIdentifier(channel)}`],
  );
  return rows.map((r) => r.pid);
}

/**
 * The conformance suite's `interruptPush` for PostgreSQL, for stores whose
 * `listenConnectionString` logs in as `role`: what a failover does in production. A
 * separate admin connection stops the role from logging in, finds the store's LISTEN
 * connection in `pg_stat_activity` (its last statement is `LISTEN "<channel>"`, unique
 * per schema) and ends it with `pg_terminate_backend`; `duringGap` runs while the
 * store cannot reconnect (checked after it: no backend LISTENs on the channel), then
 * the role may log in again and this waits until the store LISTENs again by itself.
 */
export function interruptPostgresPush(connectionString: string, role: ListenRole) {
  return (featureStore: FeatureStore, duringGap: () => Promise<void>): Promise<void> =>
    asAdmin(connectionString, async (admin) => {
      const { channel } = featureStore as PostgresStore;
      const before = await listeners(admin, role.name, channel);
      if (before.length !== 1) {
        throw new Error(
          `expected one backend of ${role.name} LISTENing on ${channel}, found ${before.length}`,
        );
      }
      const quotedRole = pg.escapeIdentifier(role.name);
      await admin.query(`ALTER ROLE ${quotedRole} NOLOGIN`);
      try {
        const { rows } = await admin.query<{ ended: boolean }>(
          // With a timeout (ms) it returns once the backend is gone, not when the signal is sent.
          'SELECT pg_terminate_backend($1, 5000) AS ended',
          [before[0]],
        );
        if (!rows[0]?.ended) throw new Error(`pg_terminate_backend(${before[0]}) did not end it`);
        await duringGap();
        const during = await listeners(admin, role.name, channel);
        if (during.length > 0) {
          throw new Error(
            `the store LISTENed on ${channel} again (backend ${during.join(', ')}) before the writes of the gap were done: ` +
              'they were not made in a gap, so this run proves nothing',
          );
        }
      } finally {
        await admin.query(`ALTER ROLE ${quotedRole} LOGIN`);
      }
      await waitFor(
        `the store's LISTEN connection on ${channel} to come back`,
        async () => (await listeners(admin, role.name, channel)).length > 0,
        10_000,
      );
    });
}
