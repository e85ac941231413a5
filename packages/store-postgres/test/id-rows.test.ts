import { type Feature, LIMITS, ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { freshSchema, serverWithAdmin } from './helpers.js';

const db = serverWithAdmin();

async function idRows(schema: string, feature: string) {
  const result = await db.admin.query<{ list: string; present: boolean | null; n: number }>(
    `SELECT list, present, count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.rollout_features_ids
     WHERE feature = $1 GROUP BY list, present ORDER BY list, present`,
    [feature],
  );
  return result.rows;
}

describe('ids as rows', () => {
  it('concurrent adds and removes of the same ids: rows, counts and history agree', async () => {
    const schema = freshSchema('ids');
    // Separate pools, so the writes really run at once on the server.
    const stores = Array.from(
      { length: 4 },
      () => new PostgresStore({ connectionString: db.server.url, schema, poolSize: 4 }),
    );
    try {
      const [first] = stores as [PostgresStore];
      await first.put(makeFeature({ name: 'hot', users: ['keep'], groups: ['base'] }), 0);
      const ids = ['a', 'b', 'c', 'd'];
      let writes = 0;
      await Promise.all(
        stores.flatMap((store, s) =>
          Array.from({ length: 4 }, async (_, lane) => {
            for (let i = 0; i < 15; i++) {
              const id = ids[(s + lane + i) % ids.length] as string;
              const ops =
                i % 3 === 2
                  ? [{ op: 'addGroups' as const, groups: [`g${s}${lane}${i}`] }]
                  : [
                      {
                        op: i % 3 === 0 ? ('addUsers' as const) : ('removeUsers' as const),
                        users: [id],
                      },
                      { op: 'exclude' as const, users: [`x${id}`] },
                    ];
              const result = await store.apply('hot', ops);
              if (result.changed) writes++;
            }
          }),
        ),
      );
      const feature = (await first.get('hot')) as Feature;
      expect(feature.version).toBe(1 + writes);
      // The counts kept beside the document are the rows really listed.
      const counts = await db.admin.query(
        `SELECT users_count, excluded_count FROM ${pg.escapeIdentifier(schema)}.rollout_features WHERE name = 'hot'`,
      );
      expect(counts.rows[0]).toEqual({
        users_count: feature.users.length,
        excluded_count: feature.excludedUsers.length,
      });
      expect(feature.users).toContain('keep');
      // Every entry's previous record is the next older entry's record: the compact
      // rows' deltas, walked back from the current state, chain without a gap.
      const entries = await first.history({ name: 'hot', limit: 1000 });
      expect(entries.length).toBe(1 + writes);
      expect(entries[0]?.feature).toEqual(feature);
      for (let k = 0; k + 1 < entries.length; k++) {
        expect(entries[k]?.previous).toEqual(entries[k + 1]?.feature);
        expect(entries[k]?.version).toBe((entries[k + 1]?.version ?? 0) + 1);
      }
      expect(entries[entries.length - 1]?.previous).toBeUndefined();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a removed id leaves a tombstone that the next write deletes; a removal of an absent id changes nothing', async () => {
    const schema = freshSchema('ids');
    const store = new PostgresStore({ connectionString: db.server.url, schema });
    try {
      await store.put(makeFeature({ name: 'f', users: ['a', 'b'] }), 0);
      const removed = await store.apply('f', [{ op: 'removeUsers', users: ['a'] }]);
      expect(removed).toMatchObject({ changed: true, version: 2 });
      expect(await idRows(schema, 'f')).toEqual([
        { list: 'users', present: false, n: 1 },
        { list: 'users', present: true, n: 1 },
      ]);
      const absent = await store.apply('f', [{ op: 'removeUsers', users: ['nobody'] }]);
      expect(absent).toMatchObject({ changed: false, version: 2 });
      expect((await store.get('f'))?.users).toEqual(['b']);
      await store.apply('f', [{ op: 'addUsers', users: ['c'] }]);
      // The write deleted the tombstones of earlier writes (a's, and the one for nobody).
      expect(await idRows(schema, 'f')).toEqual([{ list: 'users', present: true, n: 2 }]);
      expect((await store.get('f'))?.users).toEqual(['b', 'c']);
      // Adding a removed id back brings its row back.
      await store.apply('f', [{ op: 'removeUsers', users: ['b'] }]);
      await store.apply('f', [{ op: 'addUsers', users: ['b'] }]);
      expect((await store.get('f'))?.users).toEqual(['b', 'c']);
      expect((await store.get('f'))?.version).toBe(5);
    } finally {
      await store.close();
    }
  });

  it('the list limit holds exactly: ids already listed do not count twice', async () => {
    const schema = freshSchema('ids');
    const store = new PostgresStore({ connectionString: db.server.url, schema });
    try {
      const full = Array.from({ length: LIMITS.users }, (_, i) => `u${i}`);
      await store.put(makeFeature({ name: 'full', users: full }), 0);
      const error = await store
        .apply('full', [{ op: 'addUsers', users: ['one-more'] }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(`at most ${LIMITS.users} user ids`);
      // At the limit, an id already there, or one in for one out, is fine.
      expect(await store.apply('full', [{ op: 'addUsers', users: ['u7'] }])).toMatchObject({
        changed: false,
      });
      const swapped = await store.apply('full', [
        { op: 'removeUsers', users: ['u0'] },
        { op: 'addUsers', users: ['new'] },
      ]);
      expect(swapped).toMatchObject({ changed: true, version: 2 });
      const stored = await store.get('full');
      expect(stored?.users.length).toBe(LIMITS.users);
      expect(stored?.users).toContain('new');
      expect(stored?.users).not.toContain('u0');
    } finally {
      await store.close();
    }
  }, 60_000);
});
