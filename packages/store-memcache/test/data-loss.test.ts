import { DataLostError, Rollout } from '@rollout/core';
import { nextEvent, uniqueName, waitFor } from '@rollout/store-test-suite';
import { type MemcachedServer, useMemcached } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcacheStore, type MemcacheStoreOptions } from '../src/index.js';
import { deleteKey, flushAll, keysWithPrefix } from './memcached-admin.js';

let server: MemcachedServer;
beforeAll(async () => {
  server = await useMemcached();
});
afterAll(async () => {
  await server?.kill();
});

const user1 = { id: 1 };

async function seeded(options: MemcacheStoreOptions): Promise<Rollout> {
  const rollout = new Rollout({ store: new MemcacheStore(options), maxBackoff: 200 });
  await rollout.ready();
  await rollout.addFeature({ name: 'for_user_1', users: [1] });
  await rollout.addFeature({ name: 'for_all', groups: ['ALL'] });
  // Let a poll take a snapshot that holds both writes.
  await waitFor(
    'a snapshot holding both writes',
    async () => rollout.revision === (await rollout.store.revision()),
  );
  return rollout;
}

// flush_all wipes the whole server, so these tests run one after the other.
describe.sequential('data loss (memcached flushed or evicting)', () => {
  it('keeps serving the last snapshot, reports DATA_LOST, refuses to adopt an empty re-created store, and restore() brings the data back', async () => {
    const options = {
      servers: server.servers,
      prefix: `${uniqueName('l')}:`,
      pollInterval: 50,
      restoreOnLoss: false,
    };
    const a = await seeded(options);
    const stale = nextEvent(a, 'stale');
    await flushAll(server.host, server.port);

    const { error } = await stale;
    expect(error).toBeInstanceOf(DataLostError);
    expect(error.code).toBe('DATA_LOST');
    expect(error.message).toMatch(/^\[rollout\] \[memcache\] /);
    // The snapshot is kept: nothing turned off.
    expect(a.can(user1, 'for_user_1')).toBe(true);
    expect(a.can({ id: 2 }, 'for_all')).toBe(true);
    const explained = a.explain(user1, 'for_user_1');
    expect(explained).toMatchObject({
      enabled: true,
      stale: true,
      staleError: { code: 'DATA_LOST' },
    });
    // Writes fail loudly instead of writing into the void.
    await expect(a.activateUser('for_user_1', 2)).rejects.toMatchObject({ code: 'DATA_LOST' });

    // A process that starts now cannot know anything was lost: it initializes an empty store.
    const b = new MemcacheStore(options);
    expect((await b.snapshot()).features).toEqual([]);
    // The first client does not adopt that empty store: it stays stale, and says why.
    await waitFor('the stale error to say the store was re-created empty', () =>
      /re-created empty/.test(a.explain(user1, 'for_user_1').staleError?.message ?? ''),
    );
    expect(a.status).toBe('stale');
    expect(a.can(user1, 'for_user_1')).toBe(true);

    const fresh = nextEvent(a, 'fresh');
    const restored = await (a.store as MemcacheStore).restore(a.snapshot());
    expect(restored.sort()).toEqual(['for_all', 'for_user_1']);
    await fresh;
    expect(a.explain(user1, 'for_user_1').stale).toBe(false);
    const names = (await b.snapshot()).features.map((f) => f.name).sort();
    expect(names).toEqual(['for_all', 'for_user_1']);
    // Writes work again, and reach the other process.
    await a.activateUser('for_user_1', 2);
    expect((await b.get('for_user_1'))?.users).toEqual(['1', '2']);
    await a.close();
    await b.close();
  });

  it('with restoreOnLoss (the default) the first client that notices restores what it last read', async () => {
    const options = { servers: server.servers, prefix: `${uniqueName('l')}:`, pollInterval: 50 };
    const a = await seeded(options);
    const stale = nextEvent(a, 'stale');
    const fresh = nextEvent(a, 'fresh');
    await flushAll(server.host, server.port);
    expect((await stale).error.code).toBe('DATA_LOST');
    expect(a.can(user1, 'for_user_1')).toBe(true);
    await fresh;
    const other = new MemcacheStore(options);
    const snap = await other.snapshot();
    expect(snap.features.map((f) => [f.name, f.users]).sort()).toEqual([
      ['for_all', []],
      ['for_user_1', ['1']],
    ]);
    await a.close();
    await other.close();
  });

  it('notices one evicted record by polling; a new process gets DataLostError until restore() repairs it', async () => {
    const prefix = `${uniqueName('l')}:`;
    const options = { servers: server.servers, prefix, pollInterval: 50, restoreOnLoss: false };
    const a = await seeded(options);
    const records = await keysWithPrefix(server.host, server.port, `${prefix}record:`, 2);
    expect(records).toHaveLength(2);
    const stale = nextEvent(a, 'stale');
    await deleteKey(server.host, server.port, records[0] as string);

    expect((await stale).error.code).toBe('DATA_LOST');
    expect(a.can(user1, 'for_user_1')).toBe(true);
    const newcomer = new MemcacheStore(options);
    await expect(newcomer.snapshot()).rejects.toBeInstanceOf(DataLostError);

    const fresh = nextEvent(a, 'fresh');
    expect(await (a.store as MemcacheStore).restore(a.snapshot())).toHaveLength(1);
    await fresh;
    expect((await newcomer.snapshot()).features.map((f) => f.name).sort()).toEqual([
      'for_all',
      'for_user_1',
    ]);
    await a.close();
    await newcomer.close();
  });
});
