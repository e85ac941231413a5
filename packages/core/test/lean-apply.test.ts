import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../store-test-suite/src/waiting.js';
import { compileListEdit, touchedIds } from '../src/client/list-edit-compile.js';
import { compileFeature, idSetHas } from '../src/evaluate.js';
import {
  type ApplyOptions,
  type ApplyResult,
  type Feature,
  type FeatureOperation,
  featureFromInput,
  Rollout,
  type WriteContext,
} from '../src/index.js';
import { MemoryFeatureStore } from '../src/store-kit/index.js';

const NOW = '2026-05-06T07:08:09.000Z';

/**
 * The reference store answering `apply` as Redis and PostgreSQL do: no record, only the
 * outcome (and, unless told otherwise, the revision). Counts the reads clients make.
 */
class LeanStore extends MemoryFeatureStore {
  gets = 0;
  constructor(
    private readonly withRevision = true,
    private readonly announceVersion = true,
  ) {
    super({ name: 'lean' });
  }
  protected override changed(name: string, feature: Feature | undefined): void {
    super.changed(name, this.announceVersion ? feature : undefined);
  }
  override async get(name: string): Promise<Feature | undefined> {
    this.gets++;
    return super.get(name);
  }
  override async apply(
    name: string,
    operations: readonly FeatureOperation[],
    options?: ApplyOptions,
    context?: WriteContext,
  ): Promise<ApplyResult> {
    const {
      feature: _dropped,
      revision,
      ...rest
    } = await super.apply(name, operations, options, context);
    return this.withRevision && revision !== undefined ? { ...rest, revision } : rest;
  }
}

const clients: Rollout[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function client(store: LeanStore, closeStore = true): Promise<Rollout> {
  const r = new Rollout({ store, closeStore, now: () => new Date(NOW) });
  clients.push(r);
  await r.ready();
  return r;
}

describe('apply without a record in the result', () => {
  it('derives each record locally, equal to the stored one, and reads nothing back', async () => {
    const store = new LeanStore();
    const r = await client(store);
    const steps: (() => Promise<Feature>)[] = [
      () => r.activateUser('f', 1),
      () => r.activateUser('f', 'b'),
      () => r.activateUser('f', 'b'), // changes nothing
      () => r.deactivateUser('f', 1),
      () => r.excludeUser('f', 'x'),
      () => r.activateGroup('f', 'vip'),
      () => r.activatePercentage('f', 12.5),
      () => r.activate('f'),
      () => r.deactivate('f'),
    ];
    for (const step of steps) {
      const got = await step();
      expect(got).toEqual(await store.get('f'));
      expect(r.explain({ id: 'b' }, 'f').version).toBe(got.version);
    }
    // Every notification (one per write, its own) handled: the revision caught up.
    const revision = await store.revision();
    await waitFor(
      'the revision',
      () => r.explain({ id: 1 }, 'f').revision === revision || undefined,
    );
    expect(store.gets - steps.length, "reads besides the test's own").toBe(0);
  });

  it('reads the record back when the local copy is not the version the write started from', async () => {
    const store = new LeanStore();
    const a = await client(store, false);
    const b = await client(store);
    await a.activateUser('f', 1);
    await waitFor('b hears', () => b.can({ id: 1 }, 'f') || undefined);
    // b's copy is at version 1; a quiet write by a (a second client on one store) moves the
    // store to version 2 before b hears of it: b's own write must not derive from version 1.
    await store.apply('f', [{ op: 'addUsers', users: ['2'] }]);
    const before = store.gets;
    const written = await b.activateUser('f', 3);
    expect(written.users).toEqual(['1', '2', '3']);
    expect(written).toEqual(await store.get('f'));
    expect(store.gets).toBeGreaterThan(before);
  });

  it('tells a re-created feature from the old one at the same version (createdAt)', async () => {
    const store = new LeanStore();
    const a = await client(store);
    await a.addFeature({ name: 'f', users: ['old'] });
    // Removed and created again behind the client's back, at version 1 again.
    await store.remove('f');
    await store.put({ ...featureFromInput({ name: 'f' }, '2030-01-01T00:00:00.000Z') }, 0);
    const written = await a.activateUser('f', 'new');
    expect(written.users).toEqual(['new']);
    expect(written).toEqual(await store.get('f'));
  });

  it('without the revision in the result, recognises its own write by the version notified', async () => {
    const store = new LeanStore(false);
    const r = await client(store);
    const got = await r.activateUser('f', 7);
    await r.activateUser('f', 8);
    const revision = await store.revision();
    await waitFor('the revision', () => r.explain({}, 'f').revision === revision || undefined);
    expect(store.gets, 'no read back').toBe(0);
    expect(await store.get('f')).toEqual({ ...got, users: ['7', '8'], version: 2 });
  });

  it('without revision nor version notified, reads its own write back as before', async () => {
    const store = new LeanStore(false, false);
    const r = await client(store);
    const got = await r.activateUser('f', 7);
    expect(got).toEqual(await store.get('f'));
    await waitFor('the read', () => store.gets >= 2 || undefined);
  });
});

describe('compiled id sets edited in place', () => {
  const base: Feature = {
    ...featureFromInput({ name: 'f', users: ['1', 'a', '3'], excludedUsers: ['9'] }, NOW),
    version: 4,
  };

  it('gives the sets a whole compile would', () => {
    const ops: FeatureOperation[] = [
      { op: 'addUsers', users: ['2', 'a'] },
      { op: 'removeUsers', users: ['3', 'zz'] },
      { op: 'exclude', users: ['8'] },
    ];
    const touched = touchedIds(ops);
    expect(touched).toBeDefined();
    const next = { ...base, users: ['1', '2', 'a'], excludedUsers: ['8', '9'], version: 5 };
    const edited = compileListEdit(
      compileFeature(base),
      next,
      touched as NonNullable<typeof touched>,
    );
    const whole = compileFeature(next);
    expect(edited).toBeDefined();
    expect([...(edited?.users.strings ?? [])].sort()).toEqual([...whole.users.strings].sort());
    expect([...(edited?.users.numbers ?? [])].sort()).toEqual([...whole.users.numbers].sort());
    expect([...(edited?.excluded.strings ?? [])].sort()).toEqual(
      [...whole.excluded.strings].sort(),
    );
    expect(idSetHas(edited?.users ?? whole.users, 2)).toBe(true);
    expect(idSetHas(edited?.users ?? whole.users, 3)).toBe(false);
    expect(edited?.kind).toBe(whole.kind);
  });

  it('compiles whole when the gates change shape or other fields change', () => {
    const cf = compileFeature(base);
    const touched = { users: ['1', 'a', '3'], excludedUsers: [] };
    // The user list becomes empty: the evaluator kind may change.
    expect(compileListEdit(cf, { ...base, users: [], version: 5 }, touched)).toBeUndefined();
    // Not the next version.
    expect(compileListEdit(cf, { ...base, users: ['1'], version: 6 }, touched)).toBeUndefined();
    // Another field changed.
    expect(
      compileListEdit(cf, { ...base, users: ['1'], percentage: 3, version: 5 }, touched),
    ).toBeUndefined();
    expect(touchedIds([{ op: 'addUsers', users: ['1'], variant: 'v' }])).toBeUndefined();
    expect(touchedIds([{ op: 'setPercentage', percentage: 1 }])).toBeUndefined();
  });
});
