import assert from 'node:assert/strict';
import {
  applyOperations,
  checkOperations,
  type Feature,
  type FeatureOperation,
  isRolloutError,
  Rollout,
} from '@rollout/core';
import { richFeature } from '../fixtures.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';
import { waitFor } from '../waiting.js';
import { variantFeature } from './variants.js';

const NOW = '2026-03-04T05:06:07.000Z';

// Sequences covering every operation, on records that use every field (awkward ids,
// variant pins, numbers cjson-like encoders would round), each checked against core.
const SEQUENCES: readonly FeatureOperation[][] = [
  [{ op: 'addUsers', users: ['new', 'a,b', '🚀', 'zz"top'] }],
  [{ op: 'removeUsers', users: ['1', 'constructor', 'missing'] }],
  [{ op: 'addUsers', users: ['constructor', 'fresh'], variant: 'zero' }],
  [
    { op: 'exclude', users: ['666', 'x'] },
    { op: 'include', users: ['666'] },
  ],
  [
    { op: 'addGroups', groups: ['vip', 'new group', 'ALL'] },
    { op: 'removeGroups', groups: ['beta testers', 'NONE'] },
  ],
  [{ op: 'setPercentage', percentage: 0.001 }],
  [
    { op: 'set', field: 'description', value: 'new "words" ü' },
    { op: 'set', field: 'data', value: { pi: Math.PI, big: 1234567890123456, tenth: 0.1, e: [] } },
  ],
  [
    { op: 'set', field: 'groups', value: [] },
    { op: 'set', field: 'users', value: [] },
    { op: 'setPercentage', percentage: 0 },
    { op: 'set', field: 'rules', value: [] },
    { op: 'unset', field: 'userVariants' },
  ],
  [{ op: 'set', field: 'offValue', value: [0.1, { deep: [] }] }],
  [{ op: 'unset', field: 'offValue' }],
];

/** The store's `apply` (stores that declare `capabilities.apply`; others pass trivially). */
export const applyGroup: ConformanceGroup = {
  title: 'operations applied by the store',
  tests: ({ test, sibling }) => {
    test('apply gives the record core would, one version and entry per change', async (store) => {
      if (!store.capabilities.apply || !store.apply) return;
      for (const [i, ops] of SEQUENCES.entries()) {
        for (const base of [richFeature(`rich-${i}`), variantFeature(`variants-${i}`)]) {
          const stored = await store.put(base, 0);
          let expected: { feature: Feature; changed: boolean };
          try {
            expected = applyOperations(base.name, stored, checkOperations(ops), { now: NOW });
          } catch (error) {
            await assert.rejects(store.apply(base.name, ops, { now: NOW }), (e) =>
              isRolloutError(e, (error as { code: string }).code as 'INVALID_INPUT'),
            );
            continue;
          }
          const result = await store.apply(base.name, ops, { now: NOW });
          assert.equal(result.changed, expected.changed, `sequence ${i} on ${base.name}`);
          const version = expected.changed ? 2 : 1;
          assert.equal(result.version, version, `sequence ${i}: version`);
          assert.equal(result.createdAt, stored.createdAt, `sequence ${i}: createdAt`);
          const got = await store.get(base.name);
          // The record the store wrote is exactly the one core derives (what a client that
          // got no record back builds locally from its copy at the previous version).
          assert.deepEqual(got, { ...expected.feature, version }, `sequence ${i}`);
          if (result.feature) assert.deepEqual(result.feature, got, `sequence ${i}: the result`);
        }
      }
    });

    test("a client's record of its own apply is the stored one, whether the store sent it or not", async (store, options) => {
      if (!store.capabilities.apply || !store.apply) return;
      // Big enough that a store keeping lists apart answers without the record; the client
      // then derives it from its copy, and what it derives must be what get() reads.
      const users = Array.from({ length: 2000 }, (_, i) => `u${i}`);
      const other = await sibling(store, options);
      const writer = new Rollout({ store, closeStore: false });
      const reader = new Rollout({ store: other, closeStore: false });
      try {
        await Promise.all([writer.ready(), reader.ready()]);
        await writer.addFeature({ name: 'lean', users, excludedUsers: ['x'], percentage: 1 });
        const steps: (() => Promise<Feature>)[] = [
          () => writer.activateUser('lean', 'new'),
          () => writer.activateUser('lean', 'new'),
          () => writer.deactivateUser('lean', 'u7'),
          () => writer.excludeUser('lean', 'y'),
          () => writer.includeUser('lean', 'x'),
          () => writer.activateGroup('lean', 'vip'),
          () => writer.activatePercentage('lean', 2.5),
          () => writer.activateUser('lean', 'pinless'),
        ];
        for (const [i, step] of steps.entries()) {
          const got = await step();
          const stored = await store.get('lean');
          assert.deepEqual(got, stored, `step ${i}: the record the client returned`);
          assert.equal(writer.explain({ id: 'new' }, 'lean').version, stored?.version);
        }
        const final = await store.get('lean');
        assert.deepEqual(
          writer.snapshot().find((f) => f.name === 'lean'),
          final,
          "the writer's local copy",
        );
        await waitFor('the other client to converge', () =>
          reader.explain({}, 'lean').version === final?.version ? true : undefined,
        );
        assert.deepEqual(
          reader.snapshot().find((f) => f.name === 'lean'),
          final,
        );
      } finally {
        await Promise.all([writer.close(), reader.close()]);
      }
    });

    test('apply creates when asked, changes nothing when nothing changes, refuses bad results', async (store) => {
      if (!store.capabilities.apply || !store.apply) return;
      await assert.rejects(store.apply('absent', [{ op: 'addUsers', users: ['a'] }]), (e) =>
        isRolloutError(e, 'FEATURE_NOT_FOUND'),
      );
      const created = await store.apply('made', [{ op: 'addUsers', users: ['a'] }], {
        create: true,
        now: NOW,
      });
      assert.equal(created.changed, true);
      assert.equal(created.version, 1);
      assert.equal(created.createdAt, NOW);
      const made = await store.get('made');
      assert.deepEqual(
        made,
        {
          ...applyOperations(
            'made',
            undefined,
            checkOperations([{ op: 'addUsers', users: ['a'] }]),
            { create: true, now: NOW },
          ).feature,
          version: 1,
        },
        'created as core creates',
      );
      if (created.feature) assert.deepEqual(created.feature, made);
      const revision = await store.revision();
      const same = await store.apply('made', [{ op: 'addUsers', users: ['a'] }]);
      assert.equal(same.changed, false);
      assert.equal(same.version, 1);
      assert.equal(same.createdAt, NOW);
      if (same.feature) assert.deepEqual(same.feature, made);
      assert.equal(await store.revision(), revision, 'nothing written');
      await assert.rejects(
        store.apply('made', [{ op: 'addUsers', users: ['b'], variant: 'nope' }]),
        (e) => isRolloutError(e, 'INVALID_INPUT'),
      );
      await assert.rejects(
        store.apply('made', [{ op: 'nope' } as unknown as FeatureOperation]),
        (e) => isRolloutError(e, 'INVALID_INPUT'),
      );
      assert.deepEqual(await store.get('made'), made, 'a refused apply writes nothing');
      if (store.history) {
        const entries = await store.history({ name: 'made' });
        assert.deepEqual(
          entries.map((e) => [e.action, e.version]),
          [['add', 1]],
        );
      }
      await store.apply('made', [{ op: 'exclude', users: ['z'] }], {}, { actor: 'ana', note: 'n' });
      if (store.history) {
        const [entry] = await store.history({ name: 'made', limit: 1 });
        assert.equal(entry?.action, 'update');
        assert.equal(entry?.actor, 'ana');
        assert.deepEqual(entry?.previous, made);
      }
    });
  },
};

/** Runs only the apply group (`runner` and `config` as for runStoreConformance). */
export function runApplyTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [applyGroup]);
}
