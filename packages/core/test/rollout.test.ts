import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextEmitted, waitFor } from '../../store-test-suite/src/waiting.js';
import {
  ClosedError,
  type Feature,
  type FeatureChangeEvent,
  FeatureExistsError,
  FeatureNotFoundError,
  featureFromInput,
  NotReadyError,
  Rollout,
  type RolloutError,
  type RolloutEvents,
  type RolloutOptions,
  StoreUnavailableError,
} from '../src/index.js';
import { FlakyStore } from './support/flaky-store.js';
import { TestStore } from './support/test-store.js';

const clients: Rollout[] = [];

/** A client that afterEach closes. */
function client(options: RolloutOptions): Rollout {
  const r = new Rollout(options);
  clients.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A store no client notices changing: no push, a poll interval nobody waits for. */
function quietStore(): TestStore {
  return new TestStore({ push: false, pollIntervalMs: 3_600_000 });
}

function changes(r: Rollout): FeatureChangeEvent[] {
  const seen: FeatureChangeEvent[] = [];
  r.on('change', (e) => seen.push(e));
  return seen;
}

function errorsOf(r: Rollout): RolloutError[] {
  const seen: RolloutError[] = [];
  r.on('error', (e) => seen.push(e));
  return seen;
}

describe('before ready()', () => {
  it('can is false, and distinguishable: explain says NOT_READY, one NotReadyError is emitted', async () => {
    const store = new TestStore();
    await store.put(featureFromInput({ name: 'on', groups: ['ALL'] }, new Date().toISOString()), 0);
    const r = client({ store });
    const errors = errorsOf(r);
    expect(r.status).toBe('starting');
    expect(r.isReady).toBe(false);
    expect(r.revision).toBe(-1);
    expect(r.can({ id: 1 }, 'on')).toBe(false);
    expect(r.can({ id: 2 }, 'on')).toBe(false);
    expect(r.explain({ id: 1 }, 'on')).toEqual({
      feature: 'on',
      enabled: false,
      reason: 'NOT_READY',
      openFeatureReason: 'ERROR',
      ready: false,
      stale: false,
      revision: -1,
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NotReadyError);
    expect(errors[0]?.code).toBe('NOT_READY');

    const ready = nextEmitted<RolloutEvents['ready']>((l) => r.on('ready', l));
    await r.ready();
    expect((await ready).revision).toBe(1);
    expect(r.status).toBe('ready');
    expect(r.isReady).toBe(true);
    expect(r.revision).toBe(1);
    expect(r.can({ id: 1 }, 'on')).toBe(true);
    expect(r.explain({ id: 1 }, 'on')).toMatchObject({ ready: true, reason: 'ALL' });
    // ready() after ready resolves at once; no further NotReadyError.
    await r.ready();
    expect(errors).toHaveLength(1);
  });

  it('ready() rejects when the first load fails, and a later ready() resolves once the store is back', async () => {
    const inner = new TestStore();
    const flaky = new FlakyStore(inner);
    flaky.setDown(true);
    const r = client({ store: flaky, maxBackoff: 20 });
    const errors = errorsOf(r);
    await expect(r.ready()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(r.isReady).toBe(false);
    expect(r.can({ id: 1 }, 'x')).toBe(false);
    expect(r.explain({ id: 1 }, 'x').reason).toBe('NOT_READY');
    expect(errors.some((e) => e.code === 'STORE_UNAVAILABLE')).toBe(true);
    expect(errors.filter((e) => e instanceof NotReadyError)).toHaveLength(1);
    const again = r.ready();
    flaky.setDown(false);
    await again;
    expect(r.status).toBe('ready');
    expect(r.explain({ id: 1 }, 'x')).toMatchObject({
      ready: true,
      stale: false,
      reason: 'FEATURE_NOT_FOUND',
    });
  });

  it('a client started while the store is down subscribes to pushed changes once it is back', async () => {
    const inner = new TestStore();
    const flaky = new FlakyStore(inner);
    flaky.setDown(true);
    // Hourly polls: after the first load only pushed changes can reach this client.
    const r = client({ store: flaky, maxBackoff: 20, pollInterval: 3_600_000 });
    await expect(r.ready()).rejects.toBeInstanceOf(StoreUnavailableError);
    const again = r.ready();
    flaky.setDown(false);
    await again;
    await waitFor('the client to subscribe', () => inner.subscribers === 1);
    const writer = client({ store: inner, closeStore: false });
    await writer.ready();
    await writer.addFeature({ name: 'pushed', groups: ['ALL'] });
    await waitFor('the pushed feature', () => r.can({ id: 1 }, 'pushed'));
    await r.close();
    expect(inner.subscribers).toBe(1); // only the writer's
  });

  it('refresh() rejects while the first load keeps failing', async () => {
    const flaky = new FlakyStore(new TestStore());
    flaky.setDown(true);
    const r = client({ store: flaky, maxBackoff: 10_000 });
    await expect(r.ready()).rejects.toThrow();
    await expect(r.refresh()).rejects.toBeInstanceOf(StoreUnavailableError);
    flaky.setDown(false);
    await r.refresh();
    expect(r.isReady).toBe(true);
  });
});

describe('mutations: read-your-writes with no notification at all', () => {
  async function ready(): Promise<{ r: Rollout; store: TestStore }> {
    const store = quietStore();
    let tick = Date.parse('2026-03-01T00:00:00.000Z');
    const now = () => {
      tick += 1000;
      return new Date(tick);
    };
    const r = client({ store, now });
    await r.ready();
    return { r, store };
  }

  it('addFeature, then FeatureExistsError, then replace keeps createdAt', async () => {
    const { r, store } = await ready();
    const seen = changes(r);
    const f = await r.addFeature({ name: 'f', users: [1], description: 'first' });
    expect(f).toMatchObject({ name: 'f', users: ['1'], version: 1, description: 'first' });
    expect(r.can({ id: 1 }, 'f')).toBe(true);
    expect(seen).toEqual([{ name: 'f', feature: f, previous: undefined, source: 'local' }]);

    const exists = await r.addFeature({ name: 'f' }).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(FeatureExistsError);
    expect(exists).toMatchObject({ code: 'FEATURE_EXISTS', feature: 'f' });
    expect(store.writes).toBe(1);

    const replaced = await r.addFeature({ name: 'f', users: [2] }, { replace: true });
    expect(replaced).toMatchObject({
      users: ['2'],
      version: 2,
      description: '',
      createdAt: f.createdAt,
    });
    expect(replaced.updatedAt > f.updatedAt).toBe(true);
    expect(r.can({ id: 1 }, 'f')).toBe(false);
    expect(r.can({ id: 2 }, 'f')).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ previous: f, feature: replaced, source: 'local' });
  });

  it('activate opens to all and lifts the kill switch; deactivate clears everything but description, data, deny list', async () => {
    const { r } = await ready();
    await r.addFeature({
      name: 'f',
      description: 'd',
      data: { owner: 'team-a' },
      groups: ['NONE', 'vip'],
      users: [1],
      excludedUsers: [9],
      percentage: 50,
      rules: [{ attribute: 'plan', operator: 'eq', values: ['pro'] }],
    });
    expect(r.explain({ id: 1 }, 'f').reason).toBe('KILL_SWITCH');
    const on = await r.activate('f');
    expect(on.groups).toEqual(['ALL', 'vip']);
    expect(r.explain({ id: 1 }, 'f').reason).toBe('ALL');
    expect(r.explain({ id: 9 }, 'f').reason).toBe('USER_EXCLUDED');
    const off = await r.deactivate('f');
    expect(off).toMatchObject({
      groups: [],
      users: [],
      percentage: 0,
      rules: [],
      description: 'd',
      data: { owner: 'team-a' },
      excludedUsers: ['9'],
      version: 3,
    });
    for (const user of [{ id: 1 }, { id: 2, groups: ['vip'] }, { id: 3, plan: 'pro' }]) {
      expect(r.explain(user, 'f').reason).toBe('DEFAULT');
    }
  });

  it('activate and activateUser create a missing feature, as the rollout gem does', async () => {
    const { r } = await ready();
    expect((await r.activate('new-all')).groups).toEqual(['ALL']);
    expect(r.can({ id: 'anyone' }, 'new-all')).toBe(true);
    const f = await r.activateUser('new-user', 42);
    expect(f).toMatchObject({ users: ['42'], version: 1, percentage: 0, groups: [] });
    expect(r.can({ id: 42 }, 'new-user')).toBe(true);
  });

  it('activateUser / deactivateUser by id, numeric id or user object', async () => {
    const { r, store } = await ready();
    await r.addFeature({ name: 'f' });
    await r.activateUser('f', 123);
    await r.activateUser('f', '456');
    await r.activateUser('f', { id: 789, groups: ['x'] });
    expect((await r.getFeature('f'))?.users).toEqual(['123', '456', '789']);
    expect([123, '456', 789].map((id) => r.can({ id }, 'f'))).toEqual([true, true, true]);
    const writes = store.writes;
    // Adding a user twice (as number, then string) changes nothing and writes nothing.
    const same = await r.activateUser('f', '123');
    expect(same.version).toBe(4);
    expect(store.writes).toBe(writes);
    await r.deactivateUser('f', '123');
    await r.deactivateUser('f', { id: 456 });
    expect(r.can({ id: 123 }, 'f')).toBe(false);
    expect(r.can({ id: '456' }, 'f')).toBe(false);
    expect(r.can({ id: 789 }, 'f')).toBe(true);
    await expect(r.activateUser('f', {})).rejects.toMatchObject({ field: 'user.id' });
  });

  it('activateGroup / deactivateGroup, with NONE as the kill switch', async () => {
    const { r } = await ready();
    await r.addFeature({ name: 'f' });
    await r.activateGroup('f', 'vip');
    expect(r.can({ id: 1, groups: ['vip'] }, 'f')).toBe(true);
    await r.activateGroup('f', 'NONE');
    expect(r.explain({ id: 1, groups: ['vip'] }, 'f').reason).toBe('KILL_SWITCH');
    await r.deactivateGroup('f', 'NONE');
    expect(r.can({ id: 1, groups: ['vip'] }, 'f')).toBe(true);
    await r.deactivateGroup('f', 'vip');
    expect(r.can({ id: 1, groups: ['vip'] }, 'f')).toBe(false);
    expect((await r.getFeature('f'))?.groups).toEqual([]);
  });

  it('activatePercentage / deactivatePercentage', async () => {
    const { r } = await ready();
    await r.addFeature({ name: 'f' });
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    const count = () => ids.filter((id) => r.can({ id }, 'f')).length;
    expect(count()).toBe(0);
    const f = await r.activatePercentage('f', 33.3333);
    expect(f.percentage).toBe(33.333);
    const third = count();
    expect(third).toBeGreaterThan(250);
    expect(third).toBeLessThan(420);
    await r.activatePercentage('f', 100);
    expect(count()).toBe(1000);
    await r.deactivatePercentage('f');
    expect(count()).toBe(0);
    expect((await r.getFeature('f'))?.percentage).toBe(0);
  });

  it('excludeUser / includeUser', async () => {
    const { r } = await ready();
    await r.addFeature({ name: 'f', groups: ['ALL'] });
    await r.excludeUser('f', 7);
    expect(r.explain({ id: '7' }, 'f').reason).toBe('USER_EXCLUDED');
    expect(r.can({ id: 8 }, 'f')).toBe(true);
    await r.includeUser('f', '7');
    expect(r.can({ id: 7 }, 'f')).toBe(true);
    expect((await r.getFeature('f'))?.excludedUsers).toEqual([]);
  });

  it('updateFeature changes the given fields only; a missing feature is FeatureNotFoundError', async () => {
    const { r, store } = await ready();
    const f = await r.addFeature({ name: 'f', description: 'old', users: [1], data: { a: 1 } });
    const g = await r.updateFeature('f', {
      description: 'new',
      percentage: 10,
      rules: [{ attribute: 'plan', operator: 'eq', values: ['pro'] }],
      data: { b: [1, 'two', null] },
    });
    expect(g).toMatchObject({
      name: 'f',
      description: 'new',
      users: ['1'],
      percentage: 10,
      data: { b: [1, 'two', null] },
      version: 2,
      createdAt: f.createdAt,
    });
    expect(r.explain({ id: 2, plan: 'pro' }, 'f').reason).toBe('RULE');
    const writes = store.writes;
    const missing = await r.updateFeature('nope', { description: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FeatureNotFoundError);
    expect(missing).toMatchObject({ code: 'FEATURE_NOT_FOUND', feature: 'nope' });
    expect(store.writes).toBe(writes);
    expect(await r.getFeature('nope')).toBeUndefined();
  });

  it('updateFeature with expectedVersion writes only at that version, else VersionConflictError', async () => {
    const { r, store } = await ready();
    await r.addFeature({ name: 'f', description: 'v1' });
    const g = await r.updateFeature('f', { description: 'v2' }, { expectedVersion: 1 });
    expect(g).toMatchObject({ description: 'v2', version: 2 });
    const writes = store.writes;
    const stale = await r
      .updateFeature('f', { description: 'lost' }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ code: 'VERSION_CONFLICT', feature: 'f' });
    expect(store.writes).toBe(writes);
    expect((await r.getFeature('f'))?.description).toBe('v2');
    const bad = await r
      .updateFeature('f', { description: 'x' }, { expectedVersion: -1 })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'INVALID_INPUT', field: 'expectedVersion' });
  });

  it('removeFeature removes it from the store and the snapshot; a second remove is false', async () => {
    const { r } = await ready();
    const seen = changes(r);
    const f = await r.addFeature({ name: 'f', groups: ['ALL'] });
    expect(await r.removeFeature('f')).toBe(true);
    expect(r.can({ id: 1 }, 'f')).toBe(false);
    expect(r.explain({ id: 1 }, 'f').reason).toBe('FEATURE_NOT_FOUND');
    expect(await r.getFeature('f')).toBeUndefined();
    expect(r.snapshot()).toEqual([]);
    expect(await r.removeFeature('f')).toBe(false);
    expect(seen.map((e) => [e.name, e.feature?.version, e.previous?.version, e.source])).toEqual([
      ['f', 1, undefined, 'local'],
      ['f', undefined, 1, 'local'],
    ]);
    // Re-creating starts a new life at version 1.
    const again = await r.addFeature({ name: 'f', users: [5] });
    expect(again.version).toBe(1);
    expect(again.createdAt > f.createdAt).toBe(true);
    expect(r.can({ id: 5 }, 'f')).toBe(true);
    expect(r.can({ id: 1 }, 'f')).toBe(false);
  });

  it('a mutation that finds the change already made elsewhere still shows it at once', async () => {
    const store = quietStore();
    const a = client({ store, closeStore: false });
    const b = client({ store, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    await b.addFeature({ name: 'f' });
    await a.activateUser('f', 1);
    await a.activateGroup('g', 'vip');
    expect(b.can({ id: 1 }, 'f')).toBe(false); // b has not heard of it: quiet store
    const writes = store.writes;
    await b.activateUser('f', 1);
    await b.activateGroup('g', 'vip');
    expect(store.writes).toBe(writes); // nothing to write...
    expect(b.can({ id: 1 }, 'f')).toBe(true); // ...but b reads its write
    expect(b.can({ id: 2, groups: ['vip'] }, 'g')).toBe(true);
    // Removing what another client already removed: false, and gone here too.
    await a.removeFeature('f');
    expect(b.can({ id: 1 }, 'f')).toBe(true);
    expect(await b.removeFeature('f')).toBe(false);
    expect(b.can({ id: 1 }, 'f')).toBe(false);
    expect(b.explain({ id: 1 }, 'f').reason).toBe('FEATURE_NOT_FOUND');
  });

  it("a client's own write shows even when its snapshot holds an older life of the feature with the same createdAt", async () => {
    const store = quietStore();
    const now = () => new Date('2026-03-01T00:00:00.000Z'); // every record gets the same timestamps
    const a = client({ store, closeStore: false, now });
    const b = client({ store, closeStore: false, now });
    await Promise.all([a.ready(), b.ready()]);
    await a.addFeature({ name: 'f', users: [1] });
    await a.activateUser('f', 2);
    await b.refresh(); // b holds f at version 2
    await a.removeFeature('f');
    const created = await b.addFeature({ name: 'f', users: ['new'] });
    expect(created.version).toBe(1);
    expect(b.can({ id: 'new' }, 'f')).toBe(true);
    expect(b.can({ id: 1 }, 'f')).toBe(false);

    await a.activateUser('f', 3);
    await a.activateUser('f', 4);
    await b.refresh(); // b holds the second life at version 3
    await a.removeFeature('f');
    await a.addFeature({ name: 'f' });
    const updated = await b.activateUser('f', 'mine');
    expect(updated.version).toBe(2);
    expect(b.can({ id: 'mine' }, 'f')).toBe(true);
    expect(b.can({ id: 3 }, 'f')).toBe(false);
    expect(b.snapshot()).toEqual(await b.features());
  });

  it('write answers arriving out of order never roll the snapshot back', async () => {
    const store = quietStore();
    const view = new FlakyStore(store);
    const r = client({ store: view });
    await r.ready();
    await r.addFeature({ name: 'f' });
    view.holdPuts();
    const first = r.activateUser('f', 'a');
    await waitFor('the first write', () => store.writes === 2);
    const second = r.activateUser('f', 'b');
    await waitFor('the second write', () => store.writes === 3);
    view.releasePuts(); // the answer of the second write comes first
    expect((await second).version).toBe(3);
    expect((await first).version).toBe(2);
    expect(r.snapshot()[0]).toMatchObject({ version: 3, users: ['a', 'b'] });
    expect(r.can({ id: 'b' }, 'f')).toBe(true);
  });

  it('getFeature and features read the store; snapshot() is the local copy, sorted by name', async () => {
    const { r, store } = await ready();
    await r.addFeature({ name: 'b' });
    await r.addFeature({ name: 'a' });
    // Written behind the client's back: the store has it, the quiet client's snapshot not yet.
    await store.put(featureFromInput({ name: 'c' }, new Date().toISOString()), 0);
    expect((await r.features()).map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect((await r.getFeature('c'))?.name).toBe('c');
    expect(r.snapshot().map((f) => f.name)).toEqual(['a', 'b']);
    await r.refresh();
    expect(r.snapshot().map((f) => f.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('two clients on one store', () => {
  for (const push of [true, false]) {
    it(`see each other's changes (${push ? 'pushed' : 'polled'})`, async () => {
      const store = new TestStore({ push, pollIntervalMs: 10 });
      const a = client({ store, closeStore: false });
      const b = client({ store, closeStore: false });
      await Promise.all([a.ready(), b.ready()]);

      const seenByB = nextEmitted<RolloutEvents['change']>((l) => b.on('change', l));
      await a.addFeature({ name: 'shared', users: [1] });
      expect(await seenByB).toMatchObject({
        name: 'shared',
        source: 'remote',
        previous: undefined,
      });
      expect(b.can({ id: 1 }, 'shared')).toBe(true);

      const seenByA = nextEmitted<RolloutEvents['change']>((l) => a.on('change', l));
      await b.activateUser('shared', 2);
      expect((await seenByA).feature?.users).toEqual(['1', '2']);
      expect(a.can({ id: 2 }, 'shared')).toBe(true);

      const removed = nextEmitted<RolloutEvents['change']>((l) => b.on('change', l));
      await a.removeFeature('shared');
      expect(await removed).toMatchObject({ name: 'shared', feature: undefined, source: 'remote' });
      expect(b.explain({ id: 1 }, 'shared').reason).toBe('FEATURE_NOT_FOUND');
      await waitFor('both clients at one revision', () => a.revision === b.revision);
    });
  }

  it('a polling client keeps following after polls that found nothing new', async () => {
    const store = new TestStore({ push: false, pollIntervalMs: 5 });
    const a = client({ store, closeStore: false });
    const b = client({ store, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    const revision = vi.spyOn(store, 'revision');
    // Let b poll several times with nothing to find.
    await waitFor('a few polls', () => revision.mock.calls.length >= 6);
    await a.addFeature({ name: 'late', groups: ['ALL'] });
    await waitFor('the late feature', () => b.can({ id: 1 }, 'late'));
    await a.removeFeature('late');
    await waitFor(
      'the late feature gone',
      () => b.explain({ id: 1 }, 'late').reason === 'FEATURE_NOT_FOUND',
    );
  });

  it('a full reload applies content edited in place without a new version (a hand-edited file)', async () => {
    const store = new TestStore({ push: false, pollIntervalMs: 5 });
    const r = client({ store });
    await r.ready();
    await r.addFeature({ name: 'f', users: [1] });
    store.editInPlace('f', (f) => {
      f.users = ['2'];
    });
    await waitFor('the edited content', () => r.can({ id: 2 }, 'f'));
    expect(r.can({ id: 1 }, 'f')).toBe(false);
  });

  it('a client sees a feature removed and re-created with the same timestamps by another', async () => {
    const store = new TestStore();
    const clock = () => new Date('2026-03-01T00:00:00.000Z');
    const a = client({ store, closeStore: false, now: clock });
    const view = new FlakyStore(store);
    const b = client({ store: view, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    await a.addFeature({ name: 'f', users: ['old'] });
    await a.activateUser('f', 'older');
    await waitFor('the first life of f', () => b.can({ id: 'older' }, 'f'));
    // B's refresh is parked until A has removed and re-created the feature.
    view.hold();
    await a.removeFeature('f');
    await a.addFeature({ name: 'f', users: ['new'] });
    view.release();
    await waitFor('the new life of f', () => b.can({ id: 'new' }, 'f'));
    expect(b.can({ id: 'old' }, 'f')).toBe(false);
    expect(b.snapshot()).toEqual(a.snapshot());
    // Again, now with the new life at the very version and timestamps b holds.
    view.hold();
    await a.removeFeature('f');
    await a.addFeature({ name: 'f', users: ['newer'] });
    view.release();
    await waitFor('the newer life of f', () => b.can({ id: 'newer' }, 'f'));
    expect(b.can({ id: 'new' }, 'f')).toBe(false);
  });

  it('a client that missed a notification reloads everything on the next one (revision gap)', async () => {
    const store = new TestStore();
    const a = client({ store, closeStore: false });
    const view = new FlakyStore(store);
    // No polling: only notifications can tell B anything.
    const b = client({ store: view, closeStore: false, pollInterval: 3_600_000 });
    await Promise.all([a.ready(), b.ready()]);
    await a.addFeature({ name: 'one' });
    await waitFor('one feature', () => b.snapshot().length === 1);
    view.muted = true;
    await a.addFeature({ name: 'two' });
    view.muted = false;
    // This notification names only 'three', but its revision shows one was missed.
    await a.addFeature({ name: 'three' });
    await waitFor('three features', () => b.snapshot().length === 3);
    expect(b.snapshot().map((f) => f.name)).toEqual(['one', 'three', 'two']);
    expect(b.revision).toBe(3);
  });

  it('a client that silently missed the last notifications catches up by polling the revision', async () => {
    const store = new TestStore();
    const a = client({ store, closeStore: false });
    const view = new FlakyStore(store);
    const b = client({ store: view, closeStore: false, pollInterval: 10 });
    await Promise.all([a.ready(), b.ready()]);
    view.muted = true;
    await a.addFeature({ name: 'one' });
    await a.addFeature({ name: 'two' });
    await waitFor('two features', () => b.snapshot().length === 2);
    expect(b.revision).toBe(2);
    expect(b.status).toBe('ready');
  });
});

describe('a store whose data is reset', () => {
  it('the client notices the revision going back, reloads, and follows new writes', async () => {
    const store = new TestStore();
    const r = client({ store, pollInterval: 10 });
    await r.ready();
    const now = new Date().toISOString();
    for (const name of ['a', 'b', 'c']) await store.put(featureFromInput({ name }, now), 0);
    await waitFor('three features', () => r.snapshot().length === 3);
    store.reset();
    await waitFor('the reset', () => r.snapshot().length === 0);
    expect(r.revision).toBe(0);
    // Revision 1 again: a new change, not an old notification.
    await store.put(featureFromInput({ name: 'd', groups: ['ALL'] }, now), 0);
    await waitFor('feature d', () => r.can({ id: 1 }, 'd'));
    await store.put(featureFromInput({ name: 'e' }, now), 0);
    await waitFor('two features', () => r.snapshot().length === 2);
  });
});

describe('resync', () => {
  it("a store's resync() makes the client reload everything, even what it was never told", async () => {
    const store = new TestStore();
    const r = client({ store, pollInterval: 3_600_000 });
    await r.ready();
    const now = new Date().toISOString();
    await store.put(featureFromInput({ name: 'a', groups: ['ALL'] }, now), 0);
    await store.put(featureFromInput({ name: 'b' }, now), 0);
    await waitFor('two features', () => r.snapshot().length === 2);
    // The data is reset; the notification for 'c' (revision 1 again) looks old.
    store.reset();
    await store.put(featureFromInput({ name: 'c', groups: ['ALL'] }, now), 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.can({ id: 1 }, 'a')).toBe(true);
    store.resyncAll();
    await waitFor('feature c', () => r.can({ id: 1 }, 'c'));
    expect(r.snapshot().map((f) => f.name)).toEqual(['c']);
    expect(r.can({ id: 1 }, 'a')).toBe(false);
    // And it follows the store from there on.
    await store.put(featureFromInput({ name: 'd' }, now), 0);
    await waitFor('two features', () => r.snapshot().length === 2);
  });
});

describe('concurrent writers', () => {
  it('200 concurrent activateUser calls on one feature in one process lose nothing', async () => {
    const store = new TestStore();
    const r = client({ store });
    await r.ready();
    await r.addFeature({ name: 'hot' });
    const ids = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    await Promise.all(ids.map((id) => r.activateUser('hot', id)));
    const stored = await r.getFeature('hot');
    expect(stored?.users).toEqual([...ids].sort());
    expect(stored?.version).toBe(201);
    for (const id of ids) expect(r.can({ id }, 'hot')).toBe(true);
  });

  it('two clients writing 100 users each to one feature lose nothing, and converge', async () => {
    const store = new TestStore();
    const a = client({ store, closeStore: false });
    const b = client({ store, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => a.activateUser('both', `a${i}`)),
      ...Array.from({ length: 100 }, (_, i) => b.activateUser('both', `b${i}`)),
    ]);
    expect((await a.getFeature('both'))?.users).toHaveLength(200);
    await waitFor(
      'all 200 users in both clients',
      () => a.snapshot()[0]?.users.length === 200 && b.snapshot()[0]?.users.length === 200,
    );
    expect(a.snapshot()).toEqual(b.snapshot());
  });

  it('concurrent addFeature of one name: exactly one wins, the others get FeatureExistsError', async () => {
    const store = new TestStore();
    const r = client({ store });
    await r.ready();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => r.addFeature({ name: 'race', users: [i] })),
    );
    const won = results.filter((x) => x.status === 'fulfilled');
    const lost = results.filter((x) => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const x of lost)
      expect((x as PromiseRejectedResult).reason).toBeInstanceOf(FeatureExistsError);
    expect(store.writes).toBe(1);
  });

  it('concurrent mixed mutations on one feature all land', async () => {
    const store = new TestStore();
    const r = client({ store });
    await r.ready();
    await r.addFeature({ name: 'mix' });
    await Promise.all([
      r.activateGroup('mix', 'vip'),
      r.activateGroup('mix', 'beta'),
      r.excludeUser('mix', 'x'),
      r.activateUser('mix', 'u'),
      r.activatePercentage('mix', 5),
      r.updateFeature('mix', { description: 'mixed' }),
    ]);
    expect(await r.getFeature('mix')).toMatchObject({
      groups: ['beta', 'vip'],
      excludedUsers: ['x'],
      users: ['u'],
      percentage: 5,
      description: 'mixed',
      version: 7,
    });
  });
});

describe('when the store fails', () => {
  for (const push of [true, false]) {
    it(`the client goes stale, keeps answering from its snapshot, and recovers (${push ? 'push' : 'poll'})`, async () => {
      const shared = new TestStore({ push, pollIntervalMs: 10 });
      const writer = client({ store: shared, closeStore: false });
      const view = new FlakyStore(shared);
      const r = client({ store: view, maxBackoff: 20 });
      await Promise.all([writer.ready(), r.ready()]);
      await writer.addFeature({ name: 'f', users: [1] });
      await waitFor('feature f', () => r.can({ id: 1 }, 'f'));
      const errors = errorsOf(r);

      const stale = nextEmitted<RolloutEvents['stale']>((l) => r.on('stale', l));
      view.setDown(true);
      const { error, since } = await stale;
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.cause).toBeInstanceOf(Error);
      expect(errors[0]).toBe(error);
      expect(r.status).toBe('stale');

      // Evaluation keeps serving the last snapshot, and says so.
      expect(r.can({ id: 1 }, 'f')).toBe(true);
      expect(r.explain({ id: 1 }, 'f')).toMatchObject({
        enabled: true,
        reason: 'USER_LISTED',
        ready: true,
        stale: true,
        staleSince: since,
        staleError: { code: 'STORE_UNAVAILABLE' },
      });

      // Writes fail with a clear error and change nothing.
      const writes = shared.writes;
      await expect(r.activateUser('f', 2)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(r.addFeature({ name: 'g' })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(r.removeFeature('f')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(r.refresh()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(shared.writes).toBe(writes);
      expect(r.can({ id: 2 }, 'f')).toBe(false);

      // Others keep writing meanwhile; the stale client cannot see it yet.
      await writer.activateUser('f', 3);
      await writer.addFeature({ name: 'h', groups: ['ALL'] });
      expect(r.can({ id: 3 }, 'f')).toBe(false);
      // The client keeps retrying with backoff.
      const failures = view.failures;
      await waitFor('a few failed retries', () => view.failures > failures + 2);

      const fresh = nextEmitted<RolloutEvents['fresh']>((l) => r.on('fresh', l));
      view.setDown(false);
      expect((await fresh).revision).toBe(await shared.revision());
      expect(r.status).toBe('ready');
      expect(r.explain({ id: 3 }, 'f')).toMatchObject({ enabled: true, stale: false });
      expect(r.explain({ id: 3 }, 'f').staleSince).toBeUndefined();
      expect(r.can({ id: 'x' }, 'h')).toBe(true);
      // One outage, one stale event and one error (retries do not repeat them).
      expect(errors).toHaveLength(1);
      // And the client works normally again.
      await r.activateUser('f', 4);
      expect(r.can({ id: 4 }, 'f')).toBe(true);
    });
  }
});

describe('close()', () => {
  it('keeps answering from the snapshot, rejects writes and reads with ClosedError, closes the store', async () => {
    const store = new TestStore();
    const r = new Rollout({ store });
    await r.ready();
    await r.addFeature({ name: 'f', users: [1] });
    expect(store.subscribers).toBe(1);
    await r.close();
    expect(r.status).toBe('closed');
    expect(store.closed).toBe(true);
    expect(store.subscribers).toBe(0);
    expect(r.can({ id: 1 }, 'f')).toBe(true);
    expect(r.explain({ id: 1 }, 'f').reason).toBe('USER_LISTED');
    await r.ready();
    const calls: (() => Promise<unknown>)[] = [
      () => r.addFeature({ name: 'g' }),
      () => r.activate('f'),
      () => r.activateUser('f', 2),
      () => r.updateFeature('f', { description: 'x' }),
      () => r.removeFeature('f'),
      () => r.getFeature('f'),
      () => r.features(),
      () => r.refresh(),
    ];
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClosedError);
      expect(error).toMatchObject({ code: 'CLOSED' });
    }
    expect(store.writes).toBe(1);
    await r.close(); // idempotent
  });

  it('stops following the store: later changes by others are not applied', async () => {
    const store = new TestStore({ pollIntervalMs: 5 });
    const a = client({ store, closeStore: false });
    const b = new Rollout({ store, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    await b.close();
    expect(store.closed).toBe(false);
    const seen = changes(b);
    await a.addFeature({ name: 'later', groups: ['ALL'] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toEqual([]);
    expect(b.can({ id: 1 }, 'later')).toBe(false);
  });

  it('closing at once, while the first load is still on its way, stays closed', async () => {
    const store = new TestStore({ pollIntervalMs: 5 });
    const r = new Rollout({ store });
    const pending = r.ready().catch((e: unknown) => e);
    await r.close();
    expect(await pending).toBeInstanceOf(ClosedError);
    expect(r.status).toBe('closed');
    await expect(r.addFeature({ name: 'f' })).rejects.toBeInstanceOf(ClosedError);
    await expect(r.ready()).rejects.toBeInstanceOf(ClosedError);
    expect(store.writes).toBe(0);
    // And nothing keeps polling the closed store.
    const revision = vi.spyOn(store, 'revision');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(revision).not.toHaveBeenCalled();
  });

  it('closing before ready rejects pending ready() with ClosedError', async () => {
    const flaky = new FlakyStore(new TestStore());
    flaky.setDown(true);
    const r = new Rollout({ store: flaky, maxBackoff: 10 });
    const first = r.ready().catch((e: unknown) => e);
    expect(await first).toBeInstanceOf(StoreUnavailableError);
    const pending = r.ready().catch((e: unknown) => e);
    await r.close();
    expect(await pending).toBeInstanceOf(ClosedError);
    await expect(r.ready()).rejects.toBeInstanceOf(ClosedError);
    expect(flaky.closed).toBe(true);
  });
});

describe('events and the emitter', () => {
  it('a throwing listener breaks neither evaluation nor the refresh loop', async () => {
    const store = new TestStore();
    const a = client({ store, closeStore: false });
    const b = client({ store, closeStore: false });
    await Promise.all([a.ready(), b.ready()]);
    b.on('change', () => {
      throw new Error('listener bug');
    });
    const seen = changes(b);
    await a.addFeature({ name: 'one' });
    await a.addFeature({ name: 'two' });
    await waitFor('two changes', () => seen.length === 2);
    expect(b.snapshot().map((f: Feature) => f.name)).toEqual(['one', 'two']);
  });

  it('on() returns an unsubscribe function; once() fires once', async () => {
    const r = client({ store: quietStore() });
    await r.ready();
    let all = 0;
    let once = 0;
    const off = r.on('change', () => all++);
    r.once('change', () => once++);
    await r.addFeature({ name: 'a' });
    off();
    await r.addFeature({ name: 'b' });
    expect(all).toBe(1);
    expect(once).toBe(1);
    expect(r.listenerCount('change')).toBe(0);
  });
});
