import { Rollout, StoreUnavailableError } from '@rollout/core';
import { nextEvent, uniqueName, waitFor } from '@rollout/store-test-suite';
import { type MemcachedServer, startMemcached } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcacheStore } from '../src/index.js';

// Its own throwaway server (never an external one): these tests stop and start it.
let server: MemcachedServer;
beforeAll(async () => {
  server = await startMemcached();
});
afterAll(async () => {
  await server?.kill();
});

const user1 = { id: 1 };

describe.sequential('memcached stopping and restarting', () => {
  it('down: stale with STORE_UNAVAILABLE, writes rejected; back empty: DATA_LOST until restore()', async () => {
    const options = {
      servers: server.servers,
      prefix: `${uniqueName('r')}:`,
      pollInterval: 50,
      restoreOnLoss: false,
    };
    const a = new Rollout({ store: new MemcacheStore(options), maxBackoff: 200 });
    await a.ready();
    await a.addFeature({ name: 'for_user_1', users: [1] });

    const stale = nextEvent(a, 'stale');
    await server.stop();
    const { error } = await stale;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(a.can(user1, 'for_user_1')).toBe(true);
    await expect(a.activateUser('for_user_1', 2)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(new MemcacheStore(options).snapshot()).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );

    // memcached comes back with nothing: that is a data loss, not a recovery.
    await server.start();
    await waitFor(
      'DATA_LOST once memcached is back empty',
      () => a.explain(user1, 'for_user_1').staleError?.code === 'DATA_LOST',
    );
    expect(a.status).toBe('stale');
    expect(a.can(user1, 'for_user_1')).toBe(true);

    const fresh = nextEvent(a, 'fresh');
    await (a.store as MemcacheStore).restore(a.snapshot());
    await fresh;
    const other = new MemcacheStore(options);
    expect((await other.get('for_user_1'))?.users).toEqual(['1']);
    await a.activateUser('for_user_1', 2);
    expect((await other.get('for_user_1'))?.users).toEqual(['1', '2']);
    await a.close();
    await other.close();
  });

  it('with restoreOnLoss (the default) the data comes back by itself after a restart', async () => {
    const options = { servers: server.servers, prefix: `${uniqueName('r')}:`, pollInterval: 50 };
    const a = new Rollout({ store: new MemcacheStore(options), maxBackoff: 200 });
    await a.ready();
    await a.addFeature({ name: 'for_user_1', users: [1] });
    await waitFor(
      'a snapshot holding the write',
      async () => a.revision === (await a.store.revision()),
    );

    const stale = nextEvent(a, 'stale');
    await server.stop();
    await stale;
    const fresh = nextEvent(a, 'fresh');
    await server.start();
    await fresh;
    expect(a.can(user1, 'for_user_1')).toBe(true);
    const other = new MemcacheStore(options);
    expect((await other.get('for_user_1'))?.users).toEqual(['1']);
    await a.close();
    await other.close();
  });
});
