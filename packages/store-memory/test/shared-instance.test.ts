import { isRolloutError, Rollout } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';

describe('one MemoryStore shared by several clients', () => {
  it('keeps serving the others when a client that does not own it closes', async () => {
    const store = new MemoryStore();
    const a = new Rollout({ store, closeStore: false });
    const b = new Rollout({ store, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    await a.activate('shared');
    await a.close();
    await b.activateUser('shared', 7);
    expect((await store.get('shared'))?.users).toEqual(['7']);
    await b.close();
    await store.close();
  });

  it('is closed for everyone once a client with the default closeStore closes it', async () => {
    const store = new MemoryStore();
    const owner = new Rollout({ store });
    await owner.ready();
    await owner.close();
    const error = await store.get('anything').catch((e: unknown) => e);
    expect(isRolloutError(error, 'CLOSED')).toBe(true);
  });
});
