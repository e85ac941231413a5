import type { StoreChange } from '@rollout/core';
import { StoreUnavailableError, VersionConflictError } from '@rollout/core';
import { makeFeature, waitFor } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { freshSchema } from './helpers.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
});
afterAll(async () => {
  await server?.kill();
});

describe("the store inside the application's own transaction", () => {
  let schema: string;
  let store: PostgresStore;
  let app: pg.Client;
  beforeEach(async () => {
    schema = freshSchema();
    store = new PostgresStore({ connectionString: server.url, schema });
    await store.connect();
    app = new pg.Client({ connectionString: server.url });
    await app.connect();
    await app.query(`CREATE TABLE ${pg.escapeIdentifier(schema)}.orders (id int PRIMARY KEY)`);
  });
  afterEach(async () => {
    await app.end();
    await store.close();
  });

  const orders = async () => {
    const result = await app.query(
      `SELECT id FROM ${pg.escapeIdentifier(schema)}.orders ORDER BY id`,
    );
    return result.rows.map((row) => row.id as number);
  };

  it('apply through a view commits or rolls back with the transaction', async () => {
    const inTx = store.withClient(app);
    await app.query('BEGIN');
    await inTx.apply('tx', [{ op: 'addUsers', users: ['a'] }], { create: true });
    await app.query('ROLLBACK');
    expect(await store.get('tx')).toBeUndefined();
    await app.query('BEGIN');
    const { feature } = await inTx.apply('tx', [{ op: 'addUsers', users: ['b'] }], {
      create: true,
    });
    await app.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.orders VALUES (3)`);
    await app.query('COMMIT');
    expect(await store.get('tx')).toEqual(feature);
    expect(await orders()).toEqual([3]);
    // Outside a transaction too (autocommit): each statement on its own.
    await inTx.apply('tx', [{ op: 'exclude', users: ['c'] }]);
    expect((await store.get('tx'))?.excludedUsers).toEqual(['c']);
    expect((await store.history({ name: 'tx' })).map((e) => e.version)).toEqual([2, 1]);
  });

  it('a version conflict does not abort it: the transaction still commits', async () => {
    await store.put(makeFeature({ name: 'taken', percentage: 5 }), 0);
    const inTx = store.withClient(app);
    await app.query('BEGIN');
    await app.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.orders VALUES (1)`);
    // Create over an existing feature, update at a stale version, remove at a stale version.
    await expect(
      inTx.put(makeFeature({ name: 'taken', percentage: 50 }), 0),
    ).rejects.toBeInstanceOf(VersionConflictError);
    await expect(
      inTx.put(makeFeature({ name: 'taken', percentage: 50 }), 7),
    ).rejects.toBeInstanceOf(VersionConflictError);
    await expect(inTx.remove('taken', 7)).rejects.toBeInstanceOf(VersionConflictError);
    // The transaction is still usable: a failed statement would make every later one fail.
    await app.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.orders VALUES (2)`);
    const commit = await app.query('COMMIT');
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK.
    expect(commit.command).toBe('COMMIT');
    expect(await orders()).toEqual([1, 2]);
    expect((await store.get('taken'))?.percentage).toBe(5);
  });

  it('writes through the view commit, and notify, with the transaction', async () => {
    const changes: StoreChange[] = [];
    const unsubscribe = await store.subscribe({
      change: (c) => changes.push(c),
      resync: () => undefined,
      error: () => undefined,
    });
    try {
      const inTx = store.withClient(app);
      await app.query('BEGIN');
      const stored = await inTx.put(makeFeature({ name: 'with-order', users: ['7'] }), 0);
      expect(stored.version).toBe(1);
      await app.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.orders VALUES (7)`);
      // Inside, the transaction sees its own write; outside, nobody does yet.
      expect((await inTx.get('with-order'))?.users).toEqual(['7']);
      expect(await store.get('with-order')).toBeUndefined();
      expect(await store.revision()).toBe(0);
      await app.query('COMMIT');
      await waitFor('the notification after COMMIT', () =>
        changes.find((c) => c.name === 'with-order'),
      );
      expect(changes).toEqual([{ revision: 1, name: 'with-order', version: 1 }]);
      expect((await store.get('with-order'))?.version).toBe(1);
    } finally {
      await unsubscribe();
    }
  });

  it('a rolled back transaction leaves no feature and no revision bump', async () => {
    const inTx = store.withClient(app);
    await app.query('BEGIN');
    await inTx.put(makeFeature({ name: 'never' }), 0);
    expect(await inTx.revision()).toBe(1);
    await app.query('ROLLBACK');
    expect(await store.get('never')).toBeUndefined();
    expect(await store.revision()).toBe(0);
  });

  it("closing a view leaves the store and the application's client open", async () => {
    const inTx = store.withClient(app);
    await inTx.close();
    await expect(inTx.get('x')).rejects.toMatchObject({ code: 'CLOSED' });
    expect((await app.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect(await store.revision()).toBe(0);
  });
});

describe('a pool the application owns', () => {
  it('is used for every statement and never ended by close()', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 3 });
    pool.on('error', () => undefined);
    const store = new PostgresStore({ pool, schema: freshSchema() });
    const changes: StoreChange[] = [];
    const unsubscribe = await store.subscribe({
      change: (c) => changes.push(c),
      resync: () => undefined,
      error: () => undefined,
    });
    await store.put(makeFeature({ name: 'pooled' }), 0);
    await waitFor('the change pushed over the LISTEN connection', () => changes.length === 1);
    await unsubscribe();
    await store.close();
    expect(pool.ended).toBe(false);
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pool.end();
  });
});

describe('a write stuck behind a lock', () => {
  it('fails with StoreUnavailableError after queryTimeoutMs and is not applied', async () => {
    const schema = freshSchema();
    const store = new PostgresStore({ connectionString: server.url, schema, queryTimeoutMs: 300 });
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    try {
      const created = await store.put(makeFeature({ name: 'locked', percentage: 1 }), 0);
      await holder.query('BEGIN');
      await holder.query(
        `SELECT 1 FROM ${pg.escapeIdentifier(schema)}.rollout_features WHERE name = $1 FOR UPDATE`,
        ['locked'],
      );
      const error = await store.put({ ...created, percentage: 2 }, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      await holder.query('ROLLBACK');
      expect((await store.get('locked'))?.percentage).toBe(1);
      expect((await store.put({ ...created, percentage: 3 }, 1)).version).toBe(2);
    } finally {
      await holder.end();
      await store.close();
    }
  });
});
