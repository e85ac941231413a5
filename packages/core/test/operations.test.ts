import { describe, expect, it } from 'vitest';
import {
  applyOperations,
  checkOperations,
  type Feature,
  type FeatureOperation,
  Rollout,
  ValidationError,
} from '../src/index.js';
import { MemoryFeatureStore } from '../src/store-kit/index.js';

const NOW = '2026-01-01T00:00:00.000Z';

function created(ops: FeatureOperation[]): Feature {
  return applyOperations('f', undefined, checkOperations(ops), { create: true, now: NOW }).feature;
}

describe('operations', () => {
  it('normalizes ids and refuses unknown operations, fields and bad values', () => {
    expect(checkOperations([{ op: 'addUsers', users: [1, 'b'] }])).toEqual([
      { op: 'addUsers', users: ['1', 'b'] },
    ]);
    for (const bad of [
      [],
      [{ op: 'drop' }],
      [{ op: 'addUsers', users: [] }],
      [{ op: 'addGroups', groups: ['\u0000'] }],
      [{ op: 'setPercentage', percentage: 101 }],
      [{ op: 'set', field: 'name', value: 'x' }],
      [{ op: 'unset', field: 'users' }],
    ]) {
      expect(() => checkOperations(bad)).toThrow(ValidationError);
    }
  });

  it('applies in order, keeps lists sorted and unique, pins and unpins users', () => {
    const f = created([
      { op: 'addUsers', users: ['b', 'a', 'b'] },
      { op: 'addGroups', groups: ['vip', 'ALL'] },
      { op: 'removeGroups', groups: ['vip'] },
      { op: 'exclude', users: ['z'] },
      { op: 'setPercentage', percentage: 12.5 },
    ]);
    expect(f).toMatchObject({
      users: ['a', 'b'],
      groups: ['ALL'],
      excludedUsers: ['z'],
      percentage: 12.5,
      createdAt: NOW,
      updatedAt: NOW,
      version: 0,
    });
    const withVariants = {
      ...f,
      version: 3,
      variants: [
        { name: 'x', weight: 50 },
        { name: 'y', weight: 50 },
      ],
    } as Feature;
    const pinned = applyOperations(
      'f',
      withVariants,
      checkOperations([{ op: 'addUsers', users: ['c'], variant: 'y' }]),
    ).feature;
    expect(pinned.userVariants).toEqual([{ user: 'c', variant: 'y' }]);
    const unpinned = applyOperations(
      'f',
      pinned,
      checkOperations([{ op: 'removeUsers', users: ['c'] }]),
    ).feature;
    expect(unpinned.userVariants).toBeUndefined();
    expect(() =>
      applyOperations('f', f, checkOperations([{ op: 'addUsers', users: ['c'], variant: 'q' }])),
    ).toThrow(ValidationError);
  });

  it('reports an unchanged feature and refuses a missing one without create', () => {
    const f = { ...created([{ op: 'addUsers', users: ['a'] }]), version: 1 };
    const same = applyOperations('f', f, checkOperations([{ op: 'addUsers', users: ['a'] }]));
    expect(same).toMatchObject({ changed: false, feature: f });
    expect(() =>
      applyOperations('g', undefined, checkOperations([{ op: 'include', users: ['a'] }])),
    ).toThrow(/not found|does not exist/i);
  });

  it('the client writes through apply: one version and one history entry per write', async () => {
    const store = new MemoryFeatureStore();
    let applied = 0;
    const apply = store.apply.bind(store);
    store.apply = (...args) => {
      applied++;
      return apply(...args);
    };
    const rollout = new Rollout({ store });
    await rollout.ready();
    await Promise.all(Array.from({ length: 20 }, (_, i) => rollout.activateUser('f', `u${i}`)));
    await rollout.activateUser('f', 'u1');
    await rollout.deactivateUser('f', 'u2');
    const stored = await store.get('f');
    expect(stored?.users).toHaveLength(19);
    expect(stored?.version).toBe(21);
    expect(await store.history({ name: 'f' })).toHaveLength(21);
    expect(applied).toBe(22);
    await rollout.close();
  });

  it('without apply the client falls back to compare-and-set and writes the same record', async () => {
    const store = new MemoryFeatureStore({ capabilities: { apply: false } });
    const rollout = new Rollout({ store });
    await rollout.ready();
    await Promise.all(Array.from({ length: 10 }, (_, i) => rollout.activateUser('f', `u${i}`)));
    await rollout.activateGroup('f', 'vip');
    await rollout.deactivate('f');
    const stored = await store.get('f');
    expect(stored).toMatchObject({ users: [], groups: [], version: 12 });
    await rollout.close();
  });
});
