import { ClosedError, CorruptDataError, ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { freshSchema } from './helpers.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
});
afterAll(async () => {
  await server?.kill();
});

describe('what jsonb cannot hold, and what was not written by the store', () => {
  it('text jsonb cannot store is a ValidationError before anything is written', async () => {
    const store = new PostgresStore({ connectionString: server.url, schema: freshSchema() });
    try {
      const nul = makeFeature({ name: 'nul', description: 'a\u0000b' });
      const lone = makeFeature({ name: 'lone', data: { note: 'x\ud800y' } });
      await expect(store.put(nul, 0)).rejects.toBeInstanceOf(ValidationError);
      await expect(store.put(lone, 0)).rejects.toBeInstanceOf(ValidationError);
      // An escaped backslash before "u0000" is ordinary text, and surrogate pairs are fine.
      const fine = makeFeature({
        name: 'fine',
        description: '\\u0000 and 🚀',
        data: { k: '\\ud800' },
      });
      const stored = await store.put(fine, 0);
      expect((await store.get('fine'))?.description).toBe('\\u0000 and 🚀');
      expect(stored.data).toEqual({ k: '\\ud800' });
      expect(await store.revision()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a row that does not validate is a CorruptDataError naming the table and row', async () => {
    const schema = freshSchema();
    const store = new PostgresStore({ connectionString: server.url, schema });
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await store.connect();
      await client.query(
        `INSERT INTO ${pg.escapeIdentifier(schema)}.rollout_features (name, document, version) VALUES ($1, $2, 1)`,
        ['broken', JSON.stringify({ name: 'broken', percentage: 'lots' })],
      );
      const error = await store.get('broken').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptDataError);
      expect((error as CorruptDataError).location).toContain(
        '"rollout_features" row name="broken"',
      );
      expect((error as Error).message).toMatch(/^\[rollout\] \[postgres\] corrupt data at /);
      await expect(store.snapshot()).rejects.toBeInstanceOf(CorruptDataError);
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('rejects bad versions and bad options before connecting', async () => {
    const store = new PostgresStore({ connectionString: server.url, schema: freshSchema() });
    try {
      await expect(store.put(makeFeature({ name: 'x' }), -1)).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.put(makeFeature({ name: 'x' }), 1.5)).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.remove('x', Number.NaN)).rejects.toBeInstanceOf(ValidationError);
      expect(await store.get('')).toBeUndefined();
      expect(await store.remove('bad\u0000name')).toBe(false);
    } finally {
      await store.close();
    }
    expect(() => new PostgresStore({} as never)).toThrow(ValidationError);
    expect(
      () => new PostgresStore({ connectionString: server.url, pool: new pg.Pool() } as never),
    ).toThrow(ValidationError);
    expect(() => new PostgresStore({ connectionString: server.url, queryTimeoutMs: 0 })).toThrow(
      ValidationError,
    );
  });

  it('a closed store rejects every member with ClosedError, and close() twice is a no-op', async () => {
    const store = new PostgresStore({ connectionString: server.url, schema: freshSchema() });
    await store.connect();
    await store.close();
    await store.close();
    const listener = { change: () => undefined, resync: () => undefined, error: () => undefined };
    const calls: Record<string, () => Promise<unknown>> = {
      connect: () => store.connect(),
      snapshot: () => store.snapshot(),
      get: () => store.get('x'),
      // A name no feature can have still says "closed", not "not found".
      getBadName: () => store.get(''),
      revision: () => store.revision(),
      put: () => store.put(makeFeature({ name: 'x' }), 0),
      remove: () => store.remove('x'),
      subscribe: () => store.subscribe(listener),
    };
    for (const [member, call] of Object.entries(calls)) {
      const error = await call().then(
        () => new Error(`${member} resolved`),
        (e: unknown) => e,
      );
      expect(error, member).toBeInstanceOf(ClosedError);
      expect(error, member).toMatchObject({ code: 'CLOSED' });
    }
  });
});
