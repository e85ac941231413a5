import { CorruptDataError, featureFromInput } from '@rollout/core';
import { uniqueName } from '@rollout/store-test-suite';
import { type MemcachedServer, useMemcached } from '@rollout/test-servers';
import memjs from 'memjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIndex, decodeLegacyIndex, encodeRecord } from '../src/codec.js';
import { MemcacheStore } from '../src/index.js';
import { INDEX_SHARDS } from '../src/layout.js';

let server: MemcachedServer;
let client: memjs.Client;
beforeAll(async () => {
  server = await useMemcached();
  client = memjs.Client.create(server.servers, { logger: { log: () => undefined } });
});
afterAll(async () => {
  client?.close();
  await server?.kill();
});

/**
 * A namespace as releases with layout 1 wrote it: a format 1 sentinel, the revision,
 * one `index` item listing every feature, and the records under random tokens.
 */
async function writeLayoutOne(prefix: string, count: number): Promise<void> {
  const entries = [];
  for (let i = 0; i < count; i++) {
    const feature = featureFromInput(
      { name: `legacy_${i}`, users: [`u${i}`], percentage: i % 100 },
      '2026-01-02T03:04:05.000Z',
    );
    const version = 1 + (i % 3);
    const bytes = encodeRecord(feature, version);
    const token = `tok${String(i).padStart(13, '0')}`;
    await client.set(`${prefix}record:${token}:0`, bytes, {});
    entries.push({ n: feature.name, v: version, t: token, p: 1, b: bytes.length });
  }
  await client.set(`${prefix}index`, JSON.stringify({ format: 1, features: entries }), {});
  await client.set(`${prefix}revision`, String(count), {});
  await client.set(
    `${prefix}sentinel`,
    JSON.stringify({ format: 1, id: 'old-incarnation', createdAt: '2026-01-01T00:00:00.000Z' }),
    {},
  );
}

describe('data written by layout 1 (one index item)', () => {
  it('is migrated on connect: every feature and version kept, writes go on, old releases are shut out', async () => {
    const prefix = `${uniqueName('m')}:`;
    await writeLayoutOne(prefix, 300);
    // Several processes connecting at once: one migrates, the others wait for it.
    const stores = Array.from(
      { length: 4 },
      () => new MemcacheStore({ servers: server.servers, prefix }),
    );
    const snapshots = await Promise.all(stores.map((s) => s.snapshot()));
    for (const { features, revision } of snapshots) {
      expect(revision).toBe(300);
      expect(features).toHaveLength(300);
      const byName = new Map(features.map((f) => [f.name, f]));
      expect(byName.get('legacy_7')).toMatchObject({ version: 2, users: ['u7'], percentage: 7 });
    }
    const [first, second] = stores as [MemcacheStore, MemcacheStore];
    const updated = await first.put({ ...(await first.get('legacy_5'))!, percentage: 55 }, 3);
    expect(updated.version).toBe(4);
    expect((await second.get('legacy_5'))?.percentage).toBe(55);

    // The sentinel kept its id (no process reports a loss) and now says layout 2.
    const sentinel = JSON.parse(String((await client.get(`${prefix}sentinel`)).value));
    expect(sentinel).toMatchObject({ format: 2, id: 'old-incarnation', shards: INDEX_SHARDS });
    // The old index is a marker without entries, which layout 1's decoder refuses.
    const legacy = (await client.get(`${prefix}index`)).value as Buffer;
    expect(decodeLegacyIndex(legacy, 'index')).toMatchObject({ moved: true, entries: undefined });
    expect(() => decodeIndex(legacy, 'index')).toThrow(CorruptDataError);
    for (const s of stores) await s.close();
  });

  it('a migration abandoned halfway (its process died) is finished by the next process', async () => {
    const prefix = `${uniqueName('m')}:`;
    await writeLayoutOne(prefix, 20);
    // Step 1 done long ago by a process that then died: the marker still holds the entries.
    const { value } = await client.get(`${prefix}index`);
    const { features } = JSON.parse(String(value));
    await client.set(
      `${prefix}index`,
      JSON.stringify({ format: 'moved', layout: 2, movedAt: Date.now() - 60_000, features }),
      {},
    );
    const store = new MemcacheStore({ servers: server.servers, prefix });
    expect((await store.snapshot()).features.map((f) => f.name).sort()).toEqual(
      features.map((f: { n: string }) => f.n).sort(),
    );
    await store.close();
  });
});
