import { Rollout, ValidationError } from '@rollout/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRollout, featureFor, type TestRollout } from '../src/index.js';

const open: TestRollout<never>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});
async function make(options: Parameters<typeof createTestRollout>[0] = {}) {
  const r = await createTestRollout(options);
  open.push(r as TestRollout<never>);
  return r;
}

describe('createTestRollout', () => {
  it('is a ready Rollout answering the flags it was given', async () => {
    const r = await make({
      flags: { beta: true, old: false, color: { variant: 'red', value: '#f00' } },
    });
    expect(r).toBeInstanceOf(Rollout);
    expect(r.isReady).toBe(true);
    expect(r.can({ id: 1 }, 'beta')).toBe(true);
    expect(r.can({}, 'beta')).toBe(true);
    expect(r.can({ id: 1 }, 'old')).toBe(false);
    expect(r.can({ id: 1 }, 'missing')).toBe(false);
    expect(r.variant({ id: 1 }, 'color')).toEqual({
      enabled: true,
      variant: 'red',
      value: '#f00',
      reason: 'ALL',
    });
    expect(r.value({ id: 1 }, 'color', 'black')).toBe('#f00');
    expect(r.allFlags({ id: 7 })).toEqual({
      beta: { enabled: true, reason: 'ALL' },
      color: { enabled: true, variant: 'red', value: '#f00', reason: 'ALL' },
      old: { enabled: false, reason: 'DEFAULT' },
    });
  });

  it('value alone serves variant "on"; off with a value serves it as offValue', async () => {
    const r = await make({
      flags: { limit: { value: 10 }, theme: { enabled: false, value: 'light' } },
    });
    expect(r.variant({ id: 1 }, 'limit')).toMatchObject({
      enabled: true,
      variant: 'on',
      value: 10,
    });
    expect(r.variant({ id: 1 }, 'theme')).toEqual({
      enabled: false,
      value: 'light',
      reason: 'DEFAULT',
    });
    expect(r.value({ id: 1 }, 'theme', 'dark')).toBe('light');
  });

  it('set changes a flag at once; unset removes it', async () => {
    const r = await make({ flags: { beta: false } });
    await r.set('beta', true);
    expect(r.can({ id: 1 }, 'beta')).toBe(true);
    await r.set('fresh', { variant: 'b', value: [1, 2] });
    expect(r.value({ id: 1 }, 'fresh', [] as number[])).toEqual([1, 2]);
    await r.unset('beta');
    expect(r.explain({ id: 1 }, 'beta').reason).toBe('FEATURE_NOT_FOUND');
  });

  it('per-user overrides: on, off and another variant for one user', async () => {
    const r = await make({
      flags: { beta: false, color: { variant: 'red', value: '#f00' }, promo: true },
      users: { 42: { beta: true, color: { variant: 'blue', value: '#00f' } } },
    });
    expect(r.can({ id: 42 }, 'beta')).toBe(true);
    expect(r.explain({ id: 42 }, 'beta').reason).toBe('USER_LISTED');
    expect(r.can({ id: 41 }, 'beta')).toBe(false);
    expect(r.value({ id: 42 }, 'color', '')).toBe('#00f');
    expect(r.value({ id: 41 }, 'color', '')).toBe('#f00');
    await r.setFor({ id: 7 }, 'promo', false);
    await r.setFor(8, 'fresh', true);
    expect(r.can({ id: 7 }, 'promo')).toBe(false);
    expect(r.explain({ id: 7 }, 'promo').reason).toBe('USER_EXCLUDED');
    expect(r.can({ id: 6 }, 'promo')).toBe(true);
    expect(r.can({ id: 8 }, 'fresh')).toBe(true);
    expect(r.can({ id: 9 }, 'fresh')).toBe(false);
  });

  it('an override with a variant on a plain flag leaves everyone else without a value', async () => {
    const r = await make({ flags: { beta: true }, users: { 1: { beta: { value: 'vip' } } } });
    expect(r.value({ id: 1 }, 'beta', 'none')).toBe('vip');
    expect(r.value({ id: 2 }, 'beta', 'none')).toBe('none');
    expect(r.can({ id: 2 }, 'beta')).toBe(true);
  });

  it('reset goes back to the initial flags and users', async () => {
    const r = await make({ flags: { beta: true }, users: { 1: { beta: false } } });
    await r.set('beta', false);
    await r.set('other', true);
    await r.setFor(2, 'beta', true);
    await r.reset();
    expect(r.snapshot().map((f) => f.name)).toEqual(['beta']);
    expect(r.can({ id: 1 }, 'beta')).toBe(false);
    expect(r.can({ id: 2 }, 'beta')).toBe(true);
    expect(r.explain({ id: 2 }, 'beta').reason).toBe('ALL');
  });

  it('mapUser: your user type, for evaluation and for setFor', async () => {
    const r = await createTestRollout<{ uid: number }>({
      flags: { beta: false },
      mapUser: (u) => ({ id: u.uid }),
    });
    open.push(r as unknown as TestRollout<never>);
    await r.setFor({ uid: 5 }, 'beta', true);
    expect(r.can({ uid: 5 }, 'beta')).toBe(true);
    expect(r.can({ uid: 6 }, 'beta')).toBe(false);
  });

  it('bad states and names fail with ValidationError', async () => {
    await expect(make({ flags: { '': true } })).rejects.toBeInstanceOf(ValidationError);
    expect(() => featureFor('f', 'yes' as never)).toThrow(ValidationError);
    expect(() =>
      featureFor('f', { variant: 'a', value: 1 }, new Map([[1, { variant: 'a', value: 2 }]])),
    ).toThrow(/one value/);
  });

  it('events fire as in production: a set emits change', async () => {
    const r = await make();
    const names: string[] = [];
    r.on('change', (c) => names.push(c.name));
    await r.set('beta', true);
    expect(names).toEqual(['beta']);
  });
});
