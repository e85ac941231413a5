import { Rollout } from '@rollout/core';
import { nextEvent, uniqueName } from '@rollout/store-test-suite';
import { type MemcachedServer, useMemcached } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemcacheStore } from '../src/index.js';
import { runChild } from './child.js';

let server: MemcachedServer;
beforeAll(async () => {
  server = await useMemcached();
});
afterAll(async () => {
  await server?.kill();
});

describe('cross-process propagation', () => {
  it('a write made by another OS process reaches this client by polling the revision', async () => {
    const options = { servers: server.servers, prefix: `${uniqueName('p')}:`, pollInterval: 50 };
    const rollout = new Rollout({ store: new MemcacheStore(options) });
    await rollout.ready();
    expect(rollout.can({ id: 42 }, 'from_child')).toBe(false);

    const created = nextEvent(
      rollout,
      'change',
      (e) => e.name === 'from_child' && e.feature !== undefined,
    );
    await runChild(options, { type: 'activateUser', name: 'from_child', user: 42 });
    const event = await created;
    expect(event.source).toBe('remote');
    expect(event.feature?.users).toEqual(['42']);
    expect(rollout.can({ id: 42 }, 'from_child')).toBe(true);
    expect(rollout.can({ id: 43 }, 'from_child')).toBe(false);

    const removed = nextEvent(
      rollout,
      'change',
      (e) => e.name === 'from_child' && e.feature === undefined,
    );
    await runChild(options, { type: 'removeFeature', name: 'from_child' });
    await removed;
    expect(rollout.can({ id: 42 }, 'from_child')).toBe(false);
    await rollout.close();
  });

  it('a poll that finds nothing new re-reads nothing (records are cached by version)', async () => {
    const options = { servers: server.servers, prefix: `${uniqueName('p')}:`, pollInterval: 50 };
    const writer = new MemcacheStore(options);
    const users = Array.from({ length: 1000 }, (_, i) => String(i));
    await new Rollout({ store: writer, closeStore: false }).addFeature({ name: 'cached', users });
    const reader = new MemcacheStore(options);
    const first = await reader.snapshot();
    const second = await reader.snapshot();
    expect(second.features).toEqual(first.features);
    // Returned records are copies: changing one does not change the cache.
    first.features[0]?.users.push('mutated');
    expect((await reader.snapshot()).features[0]?.users).toHaveLength(1000);
    await writer.close();
    await reader.close();
  });
});
