import { afterEach, describe, expect, it } from 'vitest';
import { type FlagAnswers, NotReadyError, Rollout } from '../src/index.js';
import { TestStore } from './support/test-store.js';

const clients: { close(): Promise<void> }[] = [];

async function client(): Promise<Rollout> {
  const r = new Rollout({ store: new TestStore() });
  clients.push(r);
  await r.ready();
  await r.addFeature({ name: 'beta', groups: ['ALL'] });
  await r.addFeature({ name: 'off', users: [2] });
  await r.addFeature({ name: 'killed', groups: ['NONE'], offValue: 'none' });
  await r.setVariants('color', [
    { name: 'red', value: '#f00', weight: 50 },
    { name: 'green', value: '#0f0', weight: 50 },
  ]);
  await r.activate('color');
  return r;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('rollout.allFlags', () => {
  it('answers every known flag for one user, keyed by name in name order', async () => {
    const r = await client();
    const flags = r.allFlags({ id: 1 });
    expect(Object.keys(flags)).toEqual(['beta', 'color', 'killed', 'off']);
    expect(flags.beta).toEqual({ enabled: true, reason: 'ALL' });
    expect(flags.off).toEqual({ enabled: false, reason: 'DEFAULT' });
    expect(flags.killed).toEqual({ enabled: false, value: 'none', reason: 'KILL_SWITCH' });
    expect(flags.color?.enabled).toBe(true);
    expect(['red', 'green']).toContain(flags.color?.variant);
  });

  it('gives the same answers as can / variant, for every user', async () => {
    const r = await client();
    for (let id = 0; id < 50; id++) {
      const flags = r.allFlags({ id });
      for (const name of ['beta', 'color', 'killed', 'off']) {
        expect(flags[name]).toEqual(r.variant({ id }, name));
        expect(flags[name]?.enabled).toBe(r.can({ id }, name));
      }
    }
  });

  it('survives JSON: what a page embeds is what the server computed', async () => {
    const r = await client();
    const flags = r.allFlags({ id: 2 });
    const parsed = JSON.parse(JSON.stringify(flags)) as FlagAnswers;
    expect(parsed).toEqual(flags);
    expect(parsed.off?.enabled).toBe(true);
  });

  it('names: only those, in that order, unknown ones off as FEATURE_NOT_FOUND', async () => {
    const r = await client();
    const flags = r.allFlags({ id: 1 }, { names: ['off', 'missing', 'beta'] });
    expect(Object.keys(flags)).toEqual(['off', 'missing', 'beta']);
    expect(flags.missing).toEqual({ enabled: false, reason: 'FEATURE_NOT_FOUND' });
    expect(r.allFlags({ id: 1 }, { names: [] })).toEqual({});
  });

  it('a flag named __proto__ is an own property, not a prototype', async () => {
    const r = await client();
    const flags = r.allFlags({ id: 1 }, { names: ['__proto__'] });
    expect(Object.hasOwn(flags, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(flags)).toBe(Object.prototype);
  });

  it('before ready: names answer NOT_READY (one NotReadyError), the default set is empty', async () => {
    const r = new Rollout({ store: new TestStore() });
    clients.push(r);
    const errors: unknown[] = [];
    r.on('error', (e) => errors.push(e));
    expect(r.allFlags({ id: 1 })).toEqual({});
    expect(r.allFlags({ id: 1 }, { names: ['a', 'b'] })).toEqual({
      a: { enabled: false, reason: 'NOT_READY' },
      b: { enabled: false, reason: 'NOT_READY' },
    });
    await Promise.resolve();
    expect(errors.filter((e) => e instanceof NotReadyError)).toHaveLength(1);
  });

  it('with mapUser, maps the caller’s user shape', async () => {
    const r = new Rollout<{ uid: number }>({
      store: new TestStore(),
      mapUser: (u) => ({ id: u.uid }),
    });
    clients.push(r);
    await r.ready();
    await r.addFeature({ name: 'two', users: [2] });
    expect(r.allFlags({ uid: 2 }).two?.enabled).toBe(true);
    expect(r.allFlags({ uid: 3 }).two?.enabled).toBe(false);
  });
});
