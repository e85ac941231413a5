import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/evaluators.js';
import { compileFeature, evaluateFeature, featureFromInput, type User } from '../src/index.js';
import { OwnReadOrder, ownEquals, ownPasses, ownReadOrder } from '../src/own-property.js';

const NOW = '2026-01-01T00:00:00.000Z';

describe('own-property reads', () => {
  it('chooses the read order from the prototype, and sees a missing property', () => {
    expect(ownReadOrder({ plan: 'vip' }, 'plan')).toBe(OwnReadOrder.READ_FIRST);
    expect(ownReadOrder(Object.assign(Object.create(null), { plan: 'vip' }), 'plan')).toBe(
      OwnReadOrder.READ_FIRST,
    );
    expect(ownReadOrder({}, 'plan')).toBe(OwnReadOrder.NO_PROPERTY);
    expect(ownReadOrder(Object.create({ plan: 'vip' }), 'plan')).toBe(OwnReadOrder.CHECK_FIRST);
    expect(ownReadOrder('text', 'length')).toBe(OwnReadOrder.CHECK_FIRST);
    // Inherited from Object.prototype: found, so a plain object reads it first.
    expect(ownReadOrder({}, 'constructor')).toBe(OwnReadOrder.READ_FIRST);
  });

  it('lets only own values count, whatever the order', () => {
    expect(ownEquals({ plan: 'vip' }, 'plan', 'vip')).toBe(true);
    expect(ownEquals({ plan: 'pro' }, 'plan', 'vip')).toBe(false);
    expect(ownEquals(Object.create({ plan: 'vip' }), 'plan', 'vip')).toBe(false);
    expect(ownEquals({}, 'constructor', Object)).toBe(false);
    expect(ownEquals({}, '__proto__', Object.prototype)).toBe(false);
    expect(ownEquals(JSON.parse('{"__proto__": "vip"}'), '__proto__', 'vip')).toBe(true);
    expect(ownPasses({ age: 30 }, 'age', (v) => v === 30)).toBe(true);
    expect(ownPasses(Object.create({ age: 30 }), 'age', (v) => v === 30)).toBe(false);
    // A primitive from mapUser keeps hasOwnProperty's answer (and does not throw on `in`).
    expect(ownEquals('abc', 'length', 3)).toBe(true);
  });

  it('never calls an accessor a non-plain object inherits', () => {
    let calls = 0;
    class Account {
      get plan(): string {
        calls++;
        throw new Error('not loaded');
      }
    }
    const user = new Account() as unknown as User;
    expect(ownEquals(user, 'plan', 'vip')).toBe(false);
    expect(ownPasses(user, 'plan', () => true)).toBe(false);
    const cf = compileFeature(
      featureFromInput(
        { name: 'f', rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'] }] },
        NOW,
      ),
    );
    expect(decide(cf, user, new Map(), undefined)).toBe('DEFAULT');
    expect(evaluateFeature(cf, user, new Map(), undefined, undefined)).toBe('DEFAULT');
    expect(calls).toBe(0);
  });

  it('gives nothing for values and groups put on Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    const cf = compileFeature(
      featureFromInput(
        {
          name: 'f',
          groups: ['beta'],
          rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'] }],
        },
        NOW,
      ),
    );
    const rule = compileFeature(
      featureFromInput(
        { name: 'g', rules: [{ attribute: 'plan', operator: 'in', values: ['vip'] }] },
        NOW,
      ),
    );
    proto.plan = 'vip';
    proto.groups = ['beta'];
    try {
      const user: User = { id: 'u1' };
      expect(evaluateFeature(cf, user, new Map(), undefined, undefined)).toBe('DEFAULT');
      expect(decide(cf, user, new Map(), undefined)).toBe('DEFAULT');
      expect(decide(rule, user, new Map(), undefined)).toBe('DEFAULT');
      expect(decide(rule, { plan: 'vip' }, new Map(), undefined)).toBe('RULE');
      expect(evaluateFeature(cf, { groups: ['beta'] }, new Map(), undefined, undefined)).toBe(
        'GROUP',
      );
    } finally {
      delete proto.plan;
      delete proto.groups;
    }
  });

  it('answers as hasOwnProperty then the value, for objects of every shape and primitives', () => {
    const names = ['plan', 'age', 'constructor', '__proto__', 'toString', 'length'];
    const value = fc.constantFrom<unknown>('vip', 'pro', 3, undefined, null, Object, 'abc'.length);
    const holder = fc
      .record({
        own: fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 3 }),
        inherited: fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 2 }),
        shape: fc.constantFrom('plain', 'null-prototype', 'inherits'),
      })
      .map(({ own, inherited, shape }) => {
        const proto =
          shape === 'plain' ? Object.prototype : shape === 'null-prototype' ? null : inherited;
        const o = Object.create(proto) as Record<string, unknown>;
        for (const [k, v] of Object.entries(own))
          Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true });
        return o as unknown;
      });
    const subject = fc.oneof(holder, fc.constantFrom<unknown>('abc', 3, true));
    fc.assert(
      fc.property(subject, fc.constantFrom(...names), value, (o, name, v) => {
        const own = Object.hasOwn(o as object, name);
        const expected = own && (o as Record<string, unknown>)[name] === v;
        expect(ownEquals(o, name, v)).toBe(expected);
        expect(ownPasses(o, name, (a) => a === v)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
