import { describe, expect, it } from 'vitest';
import {
  type Condition,
  type ConditionValue,
  compareSemver,
  compileFeature,
  evaluateFeature,
  featureFromInput,
  type GroupPredicate,
  type Operator,
  parseSemver,
  type RuleInput,
  type User,
} from '../src/index.js';

const NOW = '2026-01-01T00:00:00.000Z';
const noGroups = new Map<string, GroupPredicate>();

/** Whether the feature with these rules opens for `user` through a rule. */
function opens(rules: RuleInput[], user: User): boolean {
  const cf = compileFeature(featureFromInput({ name: 'f', rules }, NOW));
  return evaluateFeature(cf, user, noGroups, undefined, undefined) === 'RULE';
}

/** Whether one condition holds for an attribute value (`undefined`: the attribute is absent). */
function holds(operator: Operator, values: ConditionValue[], attribute: unknown): boolean {
  const user: User = { id: 1 };
  if (attribute !== undefined) user.a = attribute;
  return opens([{ attribute: 'a', operator, values }], user);
}

describe('rule operators', () => {
  it('eq and in: the attribute equals any value, strictly by type', () => {
    expect(holds('eq', ['NZ'], 'NZ')).toBe(true);
    expect(holds('eq', ['NZ'], 'nz')).toBe(false);
    expect(holds('eq', [42], 42)).toBe(true);
    expect(holds('eq', [42], '42')).toBe(false);
    expect(holds('eq', ['42'], 42)).toBe(false);
    expect(holds('eq', [true], true)).toBe(true);
    expect(holds('eq', [true], 'true')).toBe(false);
    expect(holds('in', ['NZ', 'AU'], 'AU')).toBe(true);
    expect(holds('in', ['NZ', 'AU'], 'US')).toBe(false);
    expect(holds('in', [1, 2, 3], 3)).toBe(true);
    expect(holds('in', ['x'], null)).toBe(false);
    expect(holds('in', ['x'], ['x'])).toBe(false);
  });

  it('neq and notIn: the attribute equals none of the values; null or absent never matches', () => {
    expect(holds('neq', ['NZ'], 'AU')).toBe(true);
    expect(holds('neq', ['NZ'], 'NZ')).toBe(false);
    expect(holds('notIn', ['NZ', 'AU'], 'US')).toBe(true);
    expect(holds('notIn', ['NZ', 'AU'], 'AU')).toBe(false);
    expect(holds('neq', ['NZ'], null)).toBe(false);
    expect(holds('neq', ['NZ'], undefined)).toBe(false);
    expect(holds('notIn', ['NZ'], undefined)).toBe(false);
  });

  it('lt, lte, gt, gte compare numbers only', () => {
    expect(holds('lt', [18], 17)).toBe(true);
    expect(holds('lt', [18], 18)).toBe(false);
    expect(holds('lte', [18], 18)).toBe(true);
    expect(holds('lte', [18], 18.5)).toBe(false);
    expect(holds('gt', [18], 19)).toBe(true);
    expect(holds('gt', [18], 18)).toBe(false);
    expect(holds('gte', [18], 18)).toBe(true);
    expect(holds('gte', [18], 17.999)).toBe(false);
    expect(holds('gt', [-1], 0)).toBe(true);
    // Strings are never coerced: '19' is not a number, and '100' < '18' as text.
    expect(holds('gt', [18], '19')).toBe(false);
    expect(holds('lt', [18], '100')).toBe(false);
    expect(holds('lt', [18], null)).toBe(false);
    expect(holds('lt', [18], true)).toBe(false);
    expect(holds('gte', [0], Number.NaN)).toBe(false);
  });

  it('contains, startsWith, endsWith match strings against any value, case-sensitively', () => {
    expect(holds('contains', ['@example.'], 'ann@example.com')).toBe(true);
    expect(holds('contains', ['x', '@example.'], 'ann@example.com')).toBe(true);
    expect(holds('contains', ['@Example.'], 'ann@example.com')).toBe(false);
    expect(holds('startsWith', ['ann', 'bob'], 'bob@x')).toBe(true);
    expect(holds('startsWith', ['ann'], 'joann')).toBe(false);
    expect(holds('endsWith', ['.nz', '.au'], 'site.co.nz')).toBe(true);
    expect(holds('endsWith', ['.nz'], 'nz.site')).toBe(false);
    expect(holds('contains', ['1'], 123)).toBe(false);
    expect(holds('startsWith', ['a'], ['abc'])).toBe(false);
    // Values are literal text, never patterns.
    expect(holds('contains', ['.*'], 'anything')).toBe(false);
    expect(holds('contains', ['.*'], 'a.*b')).toBe(true);
    expect(holds('startsWith', ['['], '[x')).toBe(true);
  });

  it('semver comparisons follow semver precedence, prereleases included', () => {
    expect(holds('semverEq', ['1.2.3'], '1.2.3')).toBe(true);
    expect(holds('semverEq', ['1.2.3'], 'v1.2.3')).toBe(true);
    expect(holds('semverEq', ['1.2.3'], '1.2.3+build.7')).toBe(true);
    expect(holds('semverEq', ['1.2.3'], '1.2.4')).toBe(false);
    expect(holds('semverGte', ['2.0.0'], '10.0.0')).toBe(true); // numeric, not text, order
    expect(holds('semverLt', ['2.0.0'], '1.99.99')).toBe(true);
    expect(holds('semverLt', ['2.0.0'], '2.0.0-rc.1')).toBe(true);
    expect(holds('semverGte', ['2.0.0'], '2.0.0-rc.1')).toBe(false);
    expect(holds('semverGt', ['2.0.0-rc.1'], '2.0.0')).toBe(true);
    expect(holds('semverGt', ['2.0.0-rc.1'], '2.0.0-rc.2')).toBe(true);
    expect(holds('semverGt', ['2.0.0-rc.2'], '2.0.0-rc.10')).toBe(true);
    expect(holds('semverLte', ['1.0.0-beta'], '1.0.0-alpha.1')).toBe(true);
    expect(holds('semverLte', ['1.0.0'], '1.0.0')).toBe(true);
    expect(holds('semverLte', ['1.0.0'], '1.0.1')).toBe(false);
    // Not a version: never matches, whatever the operator.
    for (const op of ['semverEq', 'semverLt', 'semverLte', 'semverGt', 'semverGte'] as const) {
      expect(holds(op, ['1.0.0'], '1.0')).toBe(false);
      expect(holds(op, ['1.0.0'], 'latest')).toBe(false);
      expect(holds(op, ['1.0.0'], 100)).toBe(false);
      expect(holds(op, ['1.0.0'], undefined)).toBe(false);
    }
  });

  it('orders the semver.org 2.0.0 example chain', () => {
    const chain = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
    ];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        const c = compareSemver(parseSemver(chain[i]!)!, parseSemver(chain[j]!)!);
        expect(Math.sign(c), `${chain[i]} vs ${chain[j]}`).toBe(Math.sign(i - j));
      }
    }
    // The same ordering when each step goes through a rule.
    for (let i = 1; i < chain.length; i++) {
      expect(holds('semverLt', [chain[i]!], chain[i - 1])).toBe(true);
      expect(holds('semverGt', [chain[i - 1]!], chain[i])).toBe(true);
    }
  });

  it('parses only real versions', () => {
    for (const bad of ['1', '1.2', '01.2.3', '1.2.3-', '1.2.3-a..b', '1.2.3 ', 'x1.2.3', '']) {
      expect(parseSemver(bad), bad).toBeUndefined();
    }
    expect(parseSemver('v1.2.3-beta.1+sha.abc')).toEqual({
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: ['beta', 1],
    });
  });

  it('before and after compare dates given as ISO text or epoch milliseconds', () => {
    const day = '2026-06-01T00:00:00.000Z';
    const ms = Date.parse(day);
    expect(holds('before', [day], '2026-05-31T23:59:59.999Z')).toBe(true);
    expect(holds('before', [day], day)).toBe(false);
    expect(holds('before', [day], ms - 1)).toBe(true);
    expect(holds('after', [day], '2026-06-01T00:00:00.001Z')).toBe(true);
    expect(holds('after', [day], day)).toBe(false);
    expect(holds('after', [ms], '2027-01-01')).toBe(true);
    expect(holds('after', [ms], new Date(ms + 1))).toBe(true);
    expect(holds('before', [ms], new Date(ms + 1))).toBe(false);
    // Not a date: never matches.
    expect(holds('before', [day], 'someday')).toBe(false);
    expect(holds('after', [day], 'someday')).toBe(false);
    expect(holds('before', [day], true)).toBe(false);
    expect(holds('before', [day], null)).toBe(false);
    expect(holds('after', [day], undefined)).toBe(false);
  });
});

describe('rules', () => {
  const nz: Condition = { attribute: 'country', operator: 'eq', values: ['NZ'] };
  const pro: Condition = { attribute: 'plan', operator: 'eq', values: ['pro'] };

  it('a rule opens only when all of its conditions hold', () => {
    const rule = { conditions: [nz, pro] };
    expect(opens([rule], { id: 1, country: 'NZ', plan: 'pro' })).toBe(true);
    expect(opens([rule], { id: 1, country: 'NZ', plan: 'free' })).toBe(false);
    expect(opens([rule], { id: 1, country: 'AU', plan: 'pro' })).toBe(false);
    expect(opens([rule], { id: 1, country: 'NZ' })).toBe(false);
  });

  it('any rule may open the feature', () => {
    const rules = [{ conditions: [nz] }, { conditions: [pro] }];
    expect(opens(rules, { id: 1, country: 'NZ' })).toBe(true);
    expect(opens(rules, { id: 1, plan: 'pro' })).toBe(true);
    expect(opens(rules, { id: 1, country: 'AU', plan: 'free' })).toBe(false);
    // A single condition is shorthand for a one-condition rule.
    expect(opens([nz, pro], { id: 1, plan: 'pro' })).toBe(true);
  });

  it('a missing attribute never matches, for every operator', () => {
    const samples: Record<Operator, ConditionValue[]> = {
      eq: ['x'],
      neq: ['x'],
      in: ['x'],
      notIn: ['x'],
      lt: [1],
      lte: [1],
      gt: [1],
      gte: [1],
      contains: ['x'],
      startsWith: ['x'],
      endsWith: ['x'],
      semverEq: ['1.0.0'],
      semverLt: ['1.0.0'],
      semverLte: ['1.0.0'],
      semverGt: ['1.0.0'],
      semverGte: ['1.0.0'],
      before: ['2026-01-01'],
      after: ['2026-01-01'],
    };
    for (const [operator, values] of Object.entries(samples) as [Operator, ConditionValue[]][]) {
      expect(holds(operator, values, undefined), operator).toBe(false);
    }
  });

  it('reads only own properties: __proto__, constructor, toString, hasOwnProperty are never inherited', () => {
    for (const attribute of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      for (const operator of ['neq', 'notIn', 'contains'] as const) {
        const rule = { attribute, operator, values: ['zzz'] };
        expect(opens([rule], { id: 1 }), `${operator} ${attribute}`).toBe(false);
      }
    }
    // A class instance: its prototype's getter is not an own attribute either.
    class Account {
      id = 1;
      get plan(): string {
        return 'pro';
      }
    }
    expect(opens([pro], new Account() as unknown as User)).toBe(false);
    expect(opens([pro], Object.assign(Object.create({ plan: 'pro' }), { id: 1 }))).toBe(false);
  });

  it('an own property named like a prototype member is plain data', () => {
    const user = JSON.parse('{"id": 1, "__proto__": "x", "constructor": "y"}') as User;
    expect(opens([{ attribute: '__proto__', operator: 'eq', values: ['x'] }], user)).toBe(true);
    expect(opens([{ attribute: 'constructor', operator: 'eq', values: ['y'] }], user)).toBe(true);
    const bare = Object.assign(Object.create(null), { id: 1, plan: 'pro' }) as User;
    expect(opens([pro], bare)).toBe(true);
    // Evaluating never polluted anything.
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('a rule on the id or the groups attribute works like any other', () => {
    expect(opens([{ attribute: 'id', operator: 'gte', values: [1000] }], { id: 1001 })).toBe(true);
    expect(
      opens([{ attribute: 'id', operator: 'startsWith', values: ['adm-'] }], { id: 'adm-1' }),
    ).toBe(true);
  });
});
