import { afterEach, describe, expect, it } from 'vitest';
import {
  HistoryUnsupportedError,
  Rollout,
  type RolloutOptions,
  ValidationError,
} from '../src/index.js';
import { MemoryFeatureStore } from '../src/store-kit/index.js';
import { TestStore } from './support/test-store.js';

const clients: Rollout[] = [];

function client(options: Partial<RolloutOptions> = {}): Rollout {
  const r = new Rollout({ store: new TestStore(), ...options });
  clients.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('write context (actor, note)', () => {
  it('records the default actor, a per-call actor and a note', async () => {
    const r = client({ actor: 'billing-service' });
    await r.activate('f');
    await r.activatePercentage('f', 10, { actor: 'ana@laptop', note: 'ramp up' });
    const [second, first] = await r.history('f');
    expect(first).toMatchObject({ action: 'add', actor: 'billing-service', version: 1 });
    expect(first?.note).toBeUndefined();
    expect(second).toMatchObject({ action: 'update', actor: 'ana@laptop', note: 'ramp up' });
    expect(second?.previous?.percentage).toBe(0);
    expect(second?.feature?.percentage).toBe(10);
  });

  it('passes the context on through every mutation', async () => {
    const r = client();
    const o = { actor: 'a' };
    await r.addFeature({ name: 'f' }, o);
    await r.updateFeature('f', { description: 'd' }, o);
    await r.activate('f', o);
    await r.deactivate('f', o);
    await r.activateUser('f', 1, o);
    await r.deactivateUser('f', 1, o);
    await r.excludeUser('f', 2, o);
    await r.includeUser('f', 2, o);
    await r.activateGroup('f', 'g', o);
    await r.deactivateGroup('f', 'g', o);
    await r.activatePercentage('f', 5, o);
    await r.deactivatePercentage('f', o);
    await r.addFeature({ name: 'f', description: 'x' }, { ...o, replace: true });
    await r.removeFeature('f', o);
    const entries = await r.history('f', { limit: 1000 });
    expect(entries).toHaveLength(14);
    expect(entries.every((e) => e.actor === 'a')).toBe(true);
    expect(entries.map((e) => e.version)).toEqual([...Array(14)].map((_, i) => 14 - i));
    expect(entries[0]).toMatchObject({ action: 'remove', feature: undefined });
    expect(entries[0]?.previous?.description).toBe('x');
  });

  it('rejects a bad actor or note with a ValidationError naming the field, before any write', async () => {
    const store = new TestStore();
    const r = client({ store });
    for (const [options, field] of [
      [{ actor: '' }, 'actor'],
      [{ actor: 'a\nb' }, 'actor'],
      [{ actor: 'x'.repeat(201) }, 'actor'],
      [{ note: 'bell\u0007' }, 'note'],
      [{ note: 'x'.repeat(1001) }, 'note'],
      [{ actor: 42 as unknown as string }, 'actor'],
    ] as const) {
      const error = await r.activate('f', options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
    expect(store.writes).toBe(0);
    expect(() => new Rollout({ store, actor: ' padded ' })).toThrow(ValidationError);
  });
});

describe('history', () => {
  it('pages newest first with before, over one feature or all', async () => {
    const r = client();
    for (let i = 0; i < 5; i++) await r.activatePercentage('a', i + 1);
    await r.activate('b');
    const all = await r.history();
    expect(all.map((e) => e.name)).toEqual(['b', 'a', 'a', 'a', 'a', 'a']);
    const first = await r.history('a', { limit: 2 });
    expect(first.map((e) => e.version)).toEqual([5, 4]);
    const next = await r.history('a', { limit: 2, before: first[1]?.revision });
    expect(next.map((e) => e.version)).toEqual([3, 2]);
    for (const e of all) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    await expect(r.history('a', { limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(r.history('a', { before: -1 })).rejects.toMatchObject({ field: 'before' });
  });

  it('keeps the last historyLimit entries per feature', async () => {
    const store = new MemoryFeatureStore({ historyLimit: 3 });
    const r = client({ store });
    for (let i = 0; i < 6; i++) await r.activatePercentage('a', i + 1);
    await r.activate('b');
    expect((await r.history('a')).map((e) => e.version)).toEqual([6, 5, 4]);
    expect(await r.history('b')).toHaveLength(1);
  });

  it('rejects with HistoryUnsupportedError naming the store when it keeps none', async () => {
    const store = new MemoryFeatureStore({ name: 'plain', capabilities: { history: false } });
    const r = client({ store });
    const error = await r.history().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryUnsupportedError);
    expect(error).toMatchObject({ code: 'HISTORY_UNSUPPORTED', store: 'plain' });
    await expect(r.restore('f', 1)).rejects.toMatchObject({ code: 'HISTORY_UNSUPPORTED' });
  });
});

describe('restore', () => {
  it('writes an old version back as a new version with a restore entry', async () => {
    const r = client({ actor: 'ops' });
    await r.addFeature({ name: 'f', percentage: 10, description: 'first' });
    await r.updateFeature('f', { percentage: 50, description: 'second' });
    const restored = await r.restore('f', 1, { note: 'back to 10' });
    expect(restored).toMatchObject({ version: 3, percentage: 10, description: 'first' });
    const [entry] = await r.history('f', { limit: 1 });
    expect(entry).toMatchObject({
      action: 'restore',
      version: 3,
      actor: 'ops',
      note: 'back to 10',
    });
    expect(entry?.previous?.percentage).toBe(50);
    expect(r.snapshot()[0]?.percentage).toBe(10);
  });

  it('brings a removed feature back', async () => {
    const r = client();
    await r.addFeature({ name: 'f', groups: ['vip'] });
    await r.removeFeature('f');
    const back = await r.restore('f', 1);
    expect(back).toMatchObject({ version: 1, groups: ['vip'] });
    expect((await r.history('f')).map((e) => e.action)).toEqual(['restore', 'remove', 'add']);
  });

  it('refuses a version history does not hold, or a removal', async () => {
    const r = client();
    await r.activate('f');
    await r.removeFeature('f');
    await expect(r.restore('f', 7)).rejects.toMatchObject({ field: 'version' });
    await expect(r.restore('f', 2)).rejects.toMatchObject({ field: 'version' });
    await expect(r.restore('f', 0)).rejects.toMatchObject({ field: 'version' });
  });
});
