import assert from 'node:assert/strict';
import { type Feature, LIMITS, Rollout } from '@rollout/core';
import { makeFeature } from '../fixtures.js';
import type { ConformanceOptions, TestRunner } from '../runner.js';
import { type ConformanceGroup, runGroups } from '../suite-context.js';

/** A value of about `bytes` bytes of JSON: nested, unicode, every JSON type. */
function bigValue(bytes: number) {
  const chunk = 'ünïcødé 🚀 名前 "q" \\ ,|: ';
  const text = chunk.repeat(Math.floor(bytes / 2 / new TextEncoder().encode(chunk).length));
  return {
    text,
    list: [1, -2.5, 1e-7, 12345678901234, true, false, null, { a: [[]] }],
    empty: {},
    __proto__x: 'y',
  };
}

/** A feature with every variant field set, at the edges of what validation allows. */
export function variantFeature(name: string): Feature {
  return makeFeature({
    name,
    percentage: 40,
    variants: [
      { name: 'ünïcødé 🚀 名前', value: bigValue(LIMITS.variantValueBytes / 2), weight: 33.333 },
      { name: '__proto__', value: '"#f00"', weight: 33.333 },
      { name: 'zero', value: null, weight: 0 },
      { name: 'a,b|c:"d"', value: [0.001, 'x', { nested: { deeper: [false] } }], weight: 0.001 },
      { name: 'last', value: 12.5, weight: 33.333 },
    ],
    offValue: { off: true, reason: 'kill switch' },
    rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'], variant: '__proto__' }],
    users: ['1', 'constructor', 'ünï 🚀'],
    userVariants: [
      { user: '1', variant: 'last' },
      { user: 'constructor', variant: '__proto__' },
      { user: 'ünï 🚀', variant: 'ünïcødé 🚀 名前' },
    ],
  });
}

/** Variants, offValue, rule variants and pins round-trip unchanged; plain features gain none of them. */
export const variantsGroup: ConformanceGroup = {
  title: 'variants',
  tests: ({ test }) => {
    test('variants, offValue, rule variants and pins round-trip unchanged', async (store) => {
      const feature = variantFeature('color');
      const stored = await store.put(feature, 0);
      const expected = { ...feature, version: 1 };
      assert.deepEqual(stored, expected);
      assert.deepEqual(await store.get('color'), expected);
      const snap = await store.snapshot();
      assert.deepEqual(snap.features[0], expected);
      // Weight precision survives: 0.001 steps, and the sum is still exactly 100.
      const weights = (await store.get('color'))?.variants?.map((v) => v.weight);
      assert.deepEqual(weights, [33.333, 33.333, 0, 0.001, 33.333]);
    });

    test('an offValue of null, false, 0 or "" is kept (and differs from none)', async (store) => {
      for (const [i, offValue] of [null, false, 0, ''].entries()) {
        await store.put(makeFeature({ name: `off-${i}`, offValue }), 0);
        const read = await store.get(`off-${i}`);
        assert.ok(read && 'offValue' in read, `offValue ${JSON.stringify(offValue)} kept`);
        assert.deepEqual(read.offValue, offValue);
      }
      const plain = await store.put(makeFeature({ name: 'plain', percentage: 5 }), 0);
      for (const read of [plain, await store.get('plain')]) {
        assert.ok(read);
        assert.equal('variants' in read, false);
        assert.equal('offValue' in read, false);
        assert.equal('userVariants' in read, false);
      }
    });

    test('100 variants with the largest values allowed round-trip', async (store) => {
      const per = Math.floor(LIMITS.variantsBytes / 100) - 20;
      const variants = Array.from({ length: 100 }, (_, i) => ({
        name: `variant ${i} ✓`,
        value: 'v'.repeat(per),
        weight: i === 0 ? 1.099 : 0.999,
      }));
      await store.put(makeFeature({ name: 'many', variants }), 0);
      const read = await store.get('many');
      assert.equal(read?.variants?.length, 100);
      assert.deepEqual(read?.variants, variants);
    });

    test('clients evaluate the same variants from what the store returns', async (store) => {
      const writer = new Rollout({ store, closeStore: false });
      try {
        await writer.ready();
        await writer.setVariants('split', [
          { name: 'red', value: '#f00', weight: 50 },
          { name: 'blue', value: '#00f', weight: 50 },
        ]);
        await writer.activate('split');
        await writer.activateUser('split', 'pinned', { variant: 'blue' });
        const reader = new Rollout({ store, closeStore: false });
        try {
          await reader.ready();
          for (let id = 0; id < 50; id++) {
            assert.deepEqual(reader.variant({ id }, 'split'), writer.variant({ id }, 'split'));
          }
          assert.equal(reader.value({ id: 'pinned' }, 'split', ''), '#00f');
        } finally {
          await reader.close();
        }
      } finally {
        await writer.close();
      }
    });
  },
};

/** Runs only the variants group (`runner` and `config` as for runStoreConformance). */
export function runVariantTests(runner: TestRunner, config: ConformanceOptions): void {
  runGroups(runner, config, [variantsGroup]);
}
