import type { Feature } from '@rollout/core';
import { makeFeature, richFeature } from '@rollout/store-test-suite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, PostgresStore } from '../src/index.js';
import { tableNames } from '../src/layout.js';
import { migrate } from '../src/migrations.js';
import { freshSchema, serverWithAdmin } from './helpers.js';

const db = serverWithAdmin();

// The layout before migration 003: schema version 2, written as that release wrote it.
const BEFORE_IDS = MIGRATIONS.filter((m) => m.version <= 2);

// What that release stored in `document`: the feature without its version, lists inside.
function oldDocument(feature: Feature): string {
  const { version: _version, ...document } = feature;
  return JSON.stringify(document);
}

/**
 * Writes `features` (and one whole history row each, as that release recorded a put)
 * into `schema` at schema version 2, with that release's SQL: one row per feature whose
 * document holds the lists, the revision counter, the history table.
 */
async function writeOldLayout(schema: string, features: Feature[]): Promise<void> {
  const names = tableNames(schema);
  const client = new pg.Client({ connectionString: db.server.url });
  await client.connect();
  try {
    await migrate(client, names, true, BEFORE_IDS);
    let revision = 0;
    for (const feature of features) {
      revision++;
      await client.query(
        `INSERT INTO ${names.features} (name, document, version) VALUES ($1, $2::jsonb, $3)`,
        [feature.name, oldDocument(feature), feature.version],
      );
      await client.query(
        `INSERT INTO ${names.history} (revision, name, version, action, feature, previous)
         VALUES ($1, $2, $3, 'add', $4::jsonb, NULL)`,
        [revision, feature.name, feature.version, oldDocument(feature)],
      );
    }
    await client.query(`UPDATE ${names.revision} SET revision = $1`, [revision]);
  } finally {
    await client.end();
  }
}

describe('data written by the layout before id rows (schema version 2)', () => {
  const big = makeFeature({
    name: 'big',
    users: Array.from({ length: 5000 }, (_, i) => `user-${i}`),
    excludedUsers: ['banned', '🚀'],
    groups: ['beta'],
  });
  const old: Feature[] = [
    { ...big, version: 1 },
    { ...richFeature('rich'), version: 1 },
    { ...makeFeature({ name: 'empty' }), version: 1 },
  ];

  it('is migrated once by stores connecting at once, and reads back exactly', async () => {
    const schema = freshSchema('old');
    await writeOldLayout(schema, old);
    const stores = Array.from(
      { length: 4 },
      () => new PostgresStore({ connectionString: db.server.url, schema, poolSize: 1 }),
    );
    try {
      await Promise.all(stores.map((s) => s.connect()));
      const versions = await db.admin.query(
        `SELECT version FROM ${pg.escapeIdentifier(schema)}.rollout_features_schema_versions ORDER BY 1`,
      );
      expect(versions.rows.map((r) => r.version)).toEqual([1, 2, 3]);
      const store = stores[0] as PostgresStore;
      for (const feature of old) expect(await store.get(feature.name)).toEqual(feature);
      const snapshot = await store.snapshot();
      expect(snapshot.revision).toBe(old.length);
      expect([...snapshot.features].sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual(
        [...old].sort((a, b) => (a.name < b.name ? -1 : 1)),
      );
      // The lists left the documents for rows; the lengths are kept beside them.
      const rows = await db.admin.query(
        `SELECT name, document ? 'users' OR document ? 'excludedUsers' AS lists_inside,
           users_count, excluded_count FROM ${pg.escapeIdentifier(schema)}.rollout_features ORDER BY name`,
      );
      expect(rows.rows).toEqual([
        { name: 'big', lists_inside: false, users_count: 5000, excluded_count: 2 },
        { name: 'empty', lists_inside: false, users_count: 0, excluded_count: 0 },
        { name: 'rich', lists_inside: false, users_count: 7, excluded_count: 1 },
      ]);
      // History written before the migration reads as it was written.
      const [entry] = await store.history({ name: 'big' });
      expect(entry?.feature).toEqual(old[0]);
      expect(entry?.previous).toBeUndefined();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('takes writes afterwards, with whole history entries across the migration', async () => {
    const schema = freshSchema('old');
    await writeOldLayout(schema, old);
    const store = new PostgresStore({ connectionString: db.server.url, schema });
    try {
      const now = '2026-05-06T07:08:09.000Z';
      const result = await store.apply(
        'big',
        [
          { op: 'addUsers', users: ['newcomer'] },
          { op: 'removeUsers', users: ['user-0'] },
          { op: 'include', users: ['banned'] },
        ],
        { now },
      );
      expect(result).toMatchObject({ changed: true, version: 2 });
      const expected: Feature = {
        ...big,
        users: [...big.users.filter((u) => u !== 'user-0'), 'newcomer'].sort(),
        excludedUsers: ['🚀'],
        updatedAt: now,
        version: 2,
      };
      expect(await store.get('big')).toEqual(expected);
      const [latest, first] = await store.history({ name: 'big' });
      expect(latest?.feature).toEqual(expected);
      expect(latest?.previous).toEqual(old[0]);
      expect(first?.feature).toEqual(old[0]);
      // A put of the migrated feature replaces its rows whole.
      const put = await store.put({ ...expected, users: ['only'], excludedUsers: [] }, 2);
      expect(await store.get('big')).toEqual(put);
      expect(await store.remove('big', 3)).toBe(true);
      expect(await store.get('big')).toBeUndefined();
      const ids = await db.admin.query(
        `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.rollout_features_ids WHERE feature = 'big'`,
      );
      expect(ids.rows[0]?.n).toBe(0);
    } finally {
      await store.close();
    }
  });
});
