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
});
