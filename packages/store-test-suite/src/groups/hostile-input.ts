import assert from 'node:assert/strict';
import { Rollout } from '@rollout/core';
import { HOSTILE_NAMES, makeFeature } from '../fixtures.js';
import { rejectsWithCode } from '../outcomes.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/** Hostile names, ids and groups are plain data; huge records survive; bad input never lands. */
export const hostileInputGroup: ConformanceGroup = {
  title: 'bad input and hostile names',
  tests: ({ test }) => {
    test('hostile feature names are plain data: stored apart, read back, removed alone', async (store) => {
      for (const name of HOSTILE_NAMES) {
        await store.put(makeFeature({ name, users: [`user-of-${name}`] }), 0);
      }
      const snap = await store.snapshot();
      assert.equal(snap.features.length, HOSTILE_NAMES.length);
      for (const name of HOSTILE_NAMES) {
        const f = await store.get(name);
        assert.ok(f, `get(${JSON.stringify(name)})`);
        assert.equal(f.name, name);
        assert.deepEqual(f.users, [`user-of-${name}`]);
      }
      assert.equal(await store.remove('*'), true);
      assert.equal(await store.remove('__proto__'), true);
      const after = await store.snapshot();
      assert.equal(after.features.length, HOSTILE_NAMES.length - 2);
      assert.equal(await store.get('a*b?c[d]').then((f) => f?.name), 'a*b?c[d]');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    test('hostile user ids and group names round-trip', async (store) => {
      const users = [
        'a,b',
        'a|b',
        'a:b',
        '"q"',
        "'q'",
        '*',
        '__proto__',
        ' lead',
        'ünï 🚀',
        'x'.repeat(256),
      ].sort();
      const groups = ['ALL', 'NONE', 'a,b', 'g|h', '__proto__'].sort();
      const stored = await store.put(
        makeFeature({ name: 'ids', users, groups, excludedUsers: ['e,1'] }),
        0,
      );
      assert.deepEqual(stored.users, users);
      const read = await store.get('ids');
      assert.deepEqual(read?.users, users);
      assert.deepEqual(read?.groups, groups);
      assert.deepEqual(read?.excludedUsers, ['e,1']);
    });

    test('a feature with 100,000 users round-trips whole', async (store) => {
      const users = Array.from({ length: 100_000 }, (_, i) => `user-${i}`).sort();
      await store.put(makeFeature({ name: 'huge', users }), 0);
      const read = await store.get('huge');
      assert.equal(read?.users.length, 100_000);
      assert.deepEqual(read?.users, users);
      const snap = await store.snapshot();
      assert.equal(snap.features[0]?.users.length, 100_000);
    });

    test('invalid input is rejected before it reaches the store', async (store) => {
      const rollout = new Rollout({ store, closeStore: false });
      try {
        await rollout.ready();
        await rollout.addFeature({ name: 'valid', percentage: 10 });
        const revision = await store.revision();
        const bad: [string, () => Promise<unknown>][] = [
          ['NaN percentage', () => rollout.activatePercentage('valid', Number.NaN)],
          ['101 percentage', () => rollout.activatePercentage('valid', 101)],
          ['empty name', () => rollout.activate('')],
          ['control characters', () => rollout.activate('bad\nname')],
          ['too long', () => rollout.activate('x'.repeat(201))],
          ['object id', () => rollout.activateUser('valid', { id: { nested: true } } as never)],
          [
            'bad operator',
            () =>
              rollout.updateFeature('valid', {
                rules: [{ attribute: 'a', operator: 'regex' as never, values: ['.*'] }],
              }),
          ],
          [
            'non-JSON data',
            () => rollout.updateFeature('valid', { data: { when: new Date() } as never }),
          ],
        ];
        for (const [what, call] of bad) {
          await rejectsWithCode(what, call, 'INVALID_INPUT');
        }
        assert.equal(await store.revision(), revision, 'nothing was written');
        assert.equal((await store.get('valid'))?.percentage, 10);
      } finally {
        await rollout.close();
      }
    });
  },
};

/** Runs only the bad-input group (`runner` and `config` as for runStoreConformance). */
export function runHostileInputTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [hostileInputGroup]);
}
