import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Feature,
  featureFromInput,
  parseFeature,
  Rollout,
  ValidationError,
  type Variant,
} from '../src/index.js';
import { TestStore } from './support/test-store.js';

const NOW = '2026-01-02T03:04:05.000Z';
const clients: Rollout[] = [];

async function client(): Promise<Rollout> {
  const r = new Rollout({ store: new TestStore() });
  clients.push(r);
  await r.ready();
  return r;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const COLORS: Variant[] = [
  { name: 'red', value: '#f00', weight: 50 },
  { name: 'green', value: '#0f0', weight: 30 },
  { name: 'blue', value: '#00f', weight: 20 },
];

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  return undefined;
}

describe('variants: validation', () => {
  const make = (fields: Record<string, unknown>) => () =>
    featureFromInput({ name: 'f', ...fields } as never, NOW);

  it('a valid list is normalized: weights rounded to 0.001, values copied', () => {
    const f = featureFromInput(
      {
        name: 'f',
        variants: [
          { name: 'a', value: { deep: [1, 'x'] }, weight: 33.3333 },
          { name: 'b', value: null, weight: 33.333 },
          { name: 'c', value: false, weight: 33.334 },
        ],
        offValue: 0,
      },
      NOW,
    );
    expect(f.variants?.map((v) => v.weight)).toEqual([33.333, 33.333, 33.334]);
    expect(f.variants?.[0]?.value).toEqual({ deep: [1, 'x'] });
    expect(f.offValue).toBe(0);
  });

  it('errors name the field', () => {
    const bad = (v: unknown) => make({ variants: v });
    expect(fieldOf(bad([]))).toBeUndefined(); // [] means "no variants"
    expect(fieldOf(bad('x'))).toBe('variants');
    expect(
      fieldOf(
        bad([
          { name: 'a', value: 1, weight: 60 },
          { name: 'b', value: 1, weight: 30 },
        ]),
      ),
    ).toBe('variants');
    expect(
      fieldOf(bad([...COLORS.slice(0, 2), { name: 'blue', value: 1, weight: Number.NaN }])),
    ).toBe('variants[2].weight');
    expect(fieldOf(bad([{ name: 'a', value: 1, weight: -1 }]))).toBe('variants[0].weight');
    expect(fieldOf(bad([{ name: 'a', value: 1, weight: 101 }]))).toBe('variants[0].weight');
    expect(fieldOf(bad([{ name: 'a', value: 1, weight: '100' }]))).toBe('variants[0].weight');
    expect(
      fieldOf(
        bad([
          { name: 'a', value: 1, weight: 50 },
          { name: 'a', value: 2, weight: 50 },
        ]),
      ),
    ).toBe('variants[1].name');
    expect(fieldOf(bad([{ name: ' a', value: 1, weight: 100 }]))).toBe('variants[0].name');
    expect(fieldOf(bad([{ name: 'a', weight: 100 }]))).toBe('variants[0].value');
    expect(fieldOf(bad([{ name: 'a', value: () => 1, weight: 100 }]))).toBe('variants[0].value');
    expect(
      fieldOf(bad([{ name: 'a', value: { x: [Number.POSITIVE_INFINITY] }, weight: 100 }])),
    ).toBe('variants[0].value.x[0]');
    expect(fieldOf(bad([{ name: 'a', value: 'x'.repeat(70_000), weight: 100 }]))).toBe(
      'variants[0].value',
    );
    expect(fieldOf(bad([{ name: 'a', value: 1, weight: 100, wieght: 1 }]))).toBe(
      'variants[0].wieght',
    );
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `v${i}`, value: i, weight: 0 }));
    expect(fieldOf(bad(many))).toBe('variants');
    expect(fieldOf(make({ offValue: Number.NaN }))).toBe('offValue');
  });

  it('100 variants and a precise split are fine', () => {
    const list = Array.from({ length: 100 }, (_, i) => ({ name: `v${i}`, value: i, weight: 1 }));
    expect(featureFromInput({ name: 'f', variants: list }, NOW).variants).toHaveLength(100);
    const fine = [
      { name: 'a', value: 1, weight: 0.001 },
      { name: 'b', value: 2, weight: 99.999 },
    ];
    expect(featureFromInput({ name: 'f', variants: fine }, NOW).variants?.[0]?.weight).toBe(0.001);
  });

  it('rules and pins must name one of the variants', () => {
    const rule = { attribute: 'plan', operator: 'eq' as const, values: ['vip'], variant: 'gold' };
    expect(fieldOf(make({ rules: [rule] }))).toBe('rules[0].variant');
    expect(fieldOf(make({ variants: COLORS, rules: [rule] }))).toBe('rules[0].variant');
    const ok = featureFromInput(
      { name: 'f', variants: COLORS, rules: [{ ...rule, variant: 'red' }] },
      NOW,
    );
    expect(ok.rules[0]).toEqual({
      conditions: [{ attribute: 'plan', operator: 'eq', values: ['vip'] }],
      variant: 'red',
    });
    expect(fieldOf(make({ variants: COLORS, userVariants: [{ user: 1, variant: 'gold' }] }))).toBe(
      'userVariants[0].variant',
    );
    expect(
      fieldOf(
        make({
          variants: COLORS,
          userVariants: [
            { user: 1, variant: 'red' },
            { user: '1', variant: 'blue' },
          ],
        }),
      ),
    ).toBe('userVariants[1].user');
    expect(
      fieldOf(
        make({
          rules: [{ conditions: [{ attribute: 'a', operator: 'eq', values: [1] }], variant: 7 }],
        }),
      ),
    ).toBe('rules[0].variant');
  });

  it('a record without variants reads back without them (old records stay valid)', () => {
    const old = parseFeature({ name: 'old', percentage: 10, createdAt: NOW, version: 3 });
    expect(Object.keys(old)).not.toContain('variants');
    expect(Object.keys(old)).not.toContain('offValue');
    expect(Object.keys(old)).not.toContain('userVariants');
    const pins = parseFeature({
      name: 'new',
      variants: COLORS,
      offValue: null,
      userVariants: [
        { user: 'z', variant: 'red' },
        { user: '__proto__', variant: 'blue' },
      ],
    });
    expect(pins.offValue).toBeNull();
    expect(pins.userVariants).toEqual([
      { user: '__proto__', variant: 'blue' },
      { user: 'z', variant: 'red' },
    ]);
  });
});

describe('variants: evaluation', () => {
  it('variant() answers with the variant and its value, off users with the offValue', async () => {
    const r = await client();
    await r.addFeature({ name: 'color', percentage: 50, variants: COLORS, offValue: '#000' });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const res = r.variant({ id: i }, 'color');
      expect(res.enabled).toBe(r.can({ id: i }, 'color'));
      const key = res.enabled ? (res.variant as string) : `off:${String(res.value)}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (res.enabled) expect(res.value).toBe(COLORS.find((c) => c.name === res.variant)?.value);
    }
    expect(counts['off:#000']).toBeGreaterThan(1800);
    expect(counts.red).toBeGreaterThan(800);
    expect(counts.green).toBeGreaterThan(450);
    expect(counts.blue).toBeGreaterThan(280);
    expect(r.variant({ id: 1 }, 'missing')).toEqual({
      enabled: false,
      reason: 'FEATURE_NOT_FOUND',
    });
  });

  it('allocates nothing: the same frozen object comes back for the same answer', async () => {
    const r = await client();
    await r.addFeature({ name: 'color', groups: ['ALL'], variants: COLORS });
    const a = r.variant({ id: 'u1' }, 'color');
    expect(r.variant({ id: 'u1' }, 'color')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    await r.setVariants('obj', [{ name: 'x', value: { list: [1] }, weight: 100 }]);
    await r.activate('obj');
    const v = r.variant({ id: 1 }, 'obj').value as { list: number[] };
    expect(Object.isFrozen(v.list)).toBe(true);
    // The stored record is not frozen: only the compiled copy is.
    expect(Object.isFrozen(r.snapshot().find((f) => f.name === 'obj')?.variants?.[0]?.value)).toBe(
      false,
    );
  });

  it('value() is typed by the fallback and falls back on a missing value or another JSON type', async () => {
    const r = await client();
    await r.addFeature({ name: 'color', groups: ['ALL'], variants: COLORS });
    await r.addFeature({
      name: 'limit',
      variants: [{ name: 'ten', value: 10, weight: 100 }],
      offValue: 1,
    });
    await r.addFeature({ name: 'plain', groups: ['ALL'] });
    const color = r.value({ id: 1 }, 'color', 'blue');
    expectTypeOf(color).toEqualTypeOf<string>();
    expect(['#f00', '#0f0', '#00f']).toContain(color);
    expect(r.value({ id: 1 }, 'color', 5)).toBe(5); // a string is not a number
    expect(r.value({ id: 1 }, 'limit', 99)).toBe(1); // off: the offValue
    expect(r.value({ id: 1 }, 'plain', 'x')).toBe('x'); // on, no variants
    expect(r.value({ id: 1 }, 'missing', false)).toBe(false);
    await r.activate('limit');
    expect(r.value({ id: 1 }, 'limit', 99)).toBe(10);
    expect(r.value({ id: 1 }, 'limit', null)).toBe(null);
    expect(r.value({ id: 1 }, 'limit', [1])).toEqual([1]);
  });

  it('a pin beats a rule variant, a rule variant beats the bucket; no id gets the first non-zero variant', async () => {
    const r = await client();
    await r.addFeature({
      name: 'color',
      percentage: 100,
      variants: [{ name: 'never', value: 0, weight: 0 }, ...COLORS],
      rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'], variant: 'blue' }],
    });
    expect(r.variant({ plan: 'vip' }, 'color')).toMatchObject({ variant: 'blue', reason: 'RULE' });
    expect(r.variant({}, 'color')).toEqual({ enabled: false, reason: 'DEFAULT' });
    await r.activate('color');
    expect(r.variant({}, 'color')).toMatchObject({ variant: 'red', reason: 'ALL' });
    await r.deactivateGroup('color', 'ALL');
    // Find a user the bucket gives green, then pin them to blue and let a rule give them red.
    let id = 0;
    while (r.variant({ id }, 'color').variant !== 'green') id++;
    await r.activateUser('color', { id }, { variant: 'blue' });
    expect(r.variant({ id }, 'color')).toMatchObject({ variant: 'blue', reason: 'USER_LISTED' });
    expect(r.variant({ id: String(id), plan: 'vip' }, 'color').variant).toBe('blue');
    expect(r.explain({ id }, 'color')).toMatchObject({ enabled: true, variant: 'blue' });
    expect(r.explain({ id }, 'color').variantBucket).toBeUndefined();
    await r.deactivateUser('color', id);
    expect((await r.getFeature('color'))?.userVariants).toBeUndefined();
    expect(r.variant({ id }, 'color').variant).toBe('green');
    const e = r.explain({ id }, 'color');
    expect(e.variant).toBe('green');
    expect(e.variantBucket).toBeGreaterThanOrEqual(50);
    expect(e.variantBucket).toBeLessThan(80);
  });

  it('explain of an off user names no variant', async () => {
    const r = await client();
    await r.addFeature({ name: 'color', variants: COLORS, offValue: 'grey' });
    const e = r.explain({ id: 1 }, 'color');
    expect(e.enabled).toBe(false);
    expect(e.variant).toBeUndefined();
  });

  it('a throwing mapUser answers off with the offValue', async () => {
    const store = new TestStore();
    const r = new Rollout<{ n: number }>({
      store,
      mapUser: () => {
        throw new Error('boom');
      },
    });
    clients.push(r as unknown as Rollout);
    r.on('error', () => {});
    await r.ready();
    await r.addFeature({ name: 'color', groups: ['ALL'], variants: COLORS, offValue: 'grey' });
    expect(r.variant({ n: 1 }, 'color')).toEqual({
      enabled: false,
      value: 'grey',
      reason: 'ERROR',
    });
  });
});

describe('variants: mutations', () => {
  it('setVariants, setOffValue and clearVariants write through compare-and-set', async () => {
    const r = await client();
    const created = await r.setVariants('color', COLORS, { offValue: 'grey' });
    expect(created.variants).toEqual(COLORS);
    expect(created.offValue).toBe('grey');
    const same = await r.setVariants('color', COLORS);
    expect(same.version).toBe(created.version); // unchanged: nothing written
    const nulled = await r.setOffValue('color', null);
    expect(nulled.offValue).toBeNull();
    expect(nulled.version).toBe(created.version + 1);
    const unset = await r.setOffValue('color', undefined);
    expect('offValue' in unset).toBe(false);
    await r.updateFeature('color', {
      rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'], variant: 'red' }],
    });
    await r.activateUser('color', 'u1', { variant: 'green' });
    const cleared = await r.clearVariants('color');
    expect(cleared.variants).toBeUndefined();
    expect(cleared.userVariants).toBeUndefined();
    expect(cleared.users).toEqual(['u1']);
    expect(cleared.rules).toEqual([
      { conditions: [{ attribute: 'plan', operator: 'eq', values: ['vip'] }] },
    ]);
  });

  it('a write that would leave a name pointing at no variant is refused, naming the field', async () => {
    const r = await client();
    await r.setVariants('color', COLORS);
    await r.activateUser('color', 'u1', { variant: 'blue' });
    await expect(
      r.setVariants(
        'color',
        COLORS.slice(0, 2).map((v) => ({ ...v, weight: 50 })),
      ),
    ).rejects.toMatchObject({
      field: 'userVariants[0].variant',
    });
    await expect(r.activateUser('color', 'u2', { variant: 'gold' })).rejects.toMatchObject({
      field: 'userVariants[1].variant',
    });
    await expect(
      r.setVariants('color', [{ name: 'a', value: 1, weight: 99 }]),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'variants',
    });
    await expect(r.updateFeature('color', { variants: [] })).rejects.toMatchObject({
      field: 'userVariants[0].variant',
    });
    const stored = (await r.getFeature('color')) as Feature;
    expect(stored.variants).toEqual(COLORS);
    expect(stored.userVariants).toEqual([{ user: 'u1', variant: 'blue' }]);
  });

  it('a pin for an id such as __proto__ is data', async () => {
    const r = await client();
    await r.setVariants('color', COLORS);
    await r.activateUser('color', '__proto__', { variant: 'green' });
    expect(r.variant({ id: '__proto__' }, 'color').variant).toBe('green');
    expect(({} as Record<string, unknown>).green).toBeUndefined();
  });

  it('deactivate drops the pins with the users; variants and offValue stay', async () => {
    const r = await client();
    await r.setVariants('color', COLORS, { offValue: 'grey' });
    await r.activateUser('color', 7, { variant: 'red' });
    const f = await r.deactivate('color');
    expect(f.userVariants).toBeUndefined();
    expect(f.variants).toEqual(COLORS);
    expect(f.offValue).toBe('grey');
  });
});

describe('variants: the README example', () => {
  it('runs as documented', async () => {
    const rollout = await client();
    await rollout.addFeature({
      name: 'button_color',
      percentage: 50,
      variants: [
        { name: 'red', value: '#f00', weight: 50 },
        { name: 'green', value: '#0f0', weight: 30 },
        { name: 'blue', value: { hex: '#00f', dark: true }, weight: 20 },
      ],
      offValue: '#999',
      rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'], variant: 'green' }],
    });
    await rollout.activateUser('button_color', 42, { variant: 'blue' });
    expect(rollout.variant({ id: 42 }, 'button_color')).toMatchObject({
      variant: 'blue',
      reason: 'USER_LISTED',
    });
    expect(rollout.value({ id: 42 }, 'button_color', 'black')).toBe('black');
    expect(rollout.value({ id: 'x', plan: 'vip' }, 'button_color', 'black')).toBe('#0f0');
    let off = 0;
    while (rollout.can({ id: off }, 'button_color')) off++;
    expect(rollout.variant({ id: off }, 'button_color')).toEqual({
      enabled: false,
      value: '#999',
      reason: 'DEFAULT',
    });
    await rollout.setVariants('button_color', [
      { name: 'red', value: '#f00', weight: 60 },
      { name: 'green', value: '#0f0', weight: 20 },
      { name: 'blue', value: '#00f', weight: 20 },
    ]);
    expect(rollout.value({ id: 42 }, 'button_color', 'black')).toBe('#00f');
    await rollout.setOffValue('button_color', null);
    expect(rollout.variant({ id: off }, 'button_color').value).toBeNull();
    const cleared = await rollout.clearVariants('button_color');
    expect(cleared.variants).toBeUndefined();
    expect(cleared.rules[0]?.variant).toBeUndefined();
  });
});
