import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvaluatorKind, evaluatorKind } from '../src/evaluator-kind.js';
import { decide } from '../src/evaluators.js';
import {
  type Condition,
  compileFeature,
  evaluateFeature,
  type FeatureInput,
  featureFromInput,
  type GroupPredicate,
  hashVersions,
  type User,
} from '../src/index.js';

const NOW = '2026-01-01T00:00:00.000Z';
const feature = (input: Omit<FeatureInput, 'name'>) =>
  featureFromInput({ name: 'f', ...input }, NOW);

describe('evaluatorKind: the smallest evaluator a feature needs', () => {
  const vip: Condition = { attribute: 'plan', operator: 'eq', values: ['vip'] };
  const cases: [string, Omit<FeatureInput, 'name'>, EvaluatorKind][] = [
    ['no gate', {}, EvaluatorKind.OFF],
    ['kill switch, whatever else', { groups: ['NONE', 'ALL'], users: [1] }, EvaluatorKind.KILLED],
    ['ALL', { groups: ['ALL'], percentage: 5, rules: [vip] }, EvaluatorKind.ALL],
    ['ALL with a deny list', { groups: ['ALL'], excludedUsers: [1] }, EvaluatorKind.ALL_EXCEPT],
    ['user list', { users: [1, 'a'] }, EvaluatorKind.USERS],
    ['percentage', { percentage: 20 }, EvaluatorKind.PERCENTAGE],
    ['deny list and percentage', { excludedUsers: [1], percentage: 20 }, EvaluatorKind.IDS],
    ['deny list alone', { excludedUsers: [1] }, EvaluatorKind.IDS],
    ['one eq rule', { rules: [vip] }, EvaluatorKind.RULE_EQUALS],
    ['one in rule, one value', { rules: [{ ...vip, operator: 'in' }] }, EvaluatorKind.RULE_EQUALS],
    [
      'one in rule, two values',
      { rules: [{ ...vip, operator: 'in', values: ['a', 'b'] }] },
      EvaluatorKind.RULE_ONE,
    ],
    [
      'one gt rule',
      { rules: [{ attribute: 'age', operator: 'gt', values: [3] }] },
      EvaluatorKind.RULE_ONE,
    ],
    ['two rules', { rules: [vip, vip] }, EvaluatorKind.GENERAL],
    ['groups', { groups: ['beta'] }, EvaluatorKind.GENERAL],
    [
      'every gate',
      { excludedUsers: [1], users: [2], groups: ['b'], rules: [vip], percentage: 20 },
      EvaluatorKind.GENERAL,
    ],
  ];
  it.each(cases)('%s', (_, input, kind) => {
    expect(evaluatorKind(feature(input))).toBe(kind);
    expect(compileFeature(feature(input)).kind).toBe(kind);
  });
});

// Small pools, so that drawn users hit drawn features often.
const ID_POOL = ['u1', 'u2', '10', '-3', '007', 'ü'];
const NUMBER_IDS = [10, -3, 0, 7, 2 ** 53, 1.5];
const GROUP_POOL = ['beta', 'vip', 'staff', 'ALL', 'NONE'];
const ATTRIBUTES = ['plan', 'age', 'version', 'signup', 'constructor', '__proto__'];
const STRINGS = ['vip', 'pro', 'v', 'ip', '1.2.3', '2.0.0', '2026-01-01'];

const conditionValue: fc.Arbitrary<string | number | boolean> = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(-1, 0, 3, 30, 1.5),
  fc.boolean(),
);

/** One valid condition: values of the kind and count each operator takes. */
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom('eq' as const, 'neq' as const),
    values: fc.tuple(conditionValue),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom('in' as const, 'notIn' as const),
    values: fc.array(conditionValue, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom('lt' as const, 'lte' as const, 'gt' as const, 'gte' as const),
    values: fc.tuple(fc.constantFrom(-1, 0, 3, 30, 1.5)),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom('contains' as const, 'startsWith' as const, 'endsWith' as const),
    values: fc.array(fc.constantFrom(...STRINGS), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom('semverEq' as const, 'semverLt' as const, 'semverGte' as const),
    values: fc.tuple(fc.constantFrom('1.2.3', '2.0.0')),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom('before' as const, 'after' as const),
    values: fc.tuple(fc.constantFrom('2026-01-01T00:00:00.000Z', 1_700_000_000_000)),
  }),
);

const gates = {
  groups: fc.uniqueArray(fc.constantFrom(...GROUP_POOL), { maxLength: 2 }),
  users: fc.uniqueArray(fc.oneof(fc.constantFrom(...ID_POOL), fc.constantFrom(10, -3, 7)), {
    maxLength: 3,
  }),
  excludedUsers: fc.uniqueArray(fc.constantFrom(...ID_POOL), { maxLength: 2 }),
  percentage: fc.oneof(
    fc.constantFrom(0.001, 20, 50, 99.999, 100),
    fc.double({ min: 0, max: 100, noNaN: true }),
  ),
  rules: fc.array(
    fc.oneof(
      condition,
      fc.record({ conditions: fc.array(condition, { minLength: 1, maxLength: 2 }) }),
    ),
    { minLength: 1, maxLength: 2 },
  ),
  hashVersion: fc.constantFrom(...hashVersions().map((h) => h.version)),
};

/** Features with any subset of gates, and (as most real ones are) features of one gate. */
const featureInput: fc.Arbitrary<Omit<FeatureInput, 'name'>> = fc.oneof(
  fc.record(gates, { requiredKeys: [] }),
  fc.record({ groups: fc.constant(['ALL']), excludedUsers: gates.excludedUsers }),
  fc.record({ users: gates.users }),
  fc.record({ percentage: gates.percentage, hashVersion: gates.hashVersion }),
  fc.record({ rules: fc.tuple(condition) }),
);

/** The values the feature's conditions compare to: users draw them often, so rules match. */
function conditionValues(input: Omit<FeatureInput, 'name'>): unknown[] {
  return (input.rules ?? []).flatMap((r) =>
    ('conditions' in r ? r.conditions : [r]).flatMap((c) => c.values),
  );
}

/**
 * Users of every shape evaluation must cope with, attributes and groups own or
 * inherited, their attribute values often the ones `input`'s conditions name.
 */
function userFor(input: Omit<FeatureInput, 'name'>): fc.Arbitrary<User> {
  const named = conditionValues(input);
  const attributeValue = fc.oneof(
    conditionValue,
    fc.constantFrom(undefined, null, '', '1.2.10', '2025-06-01T00:00:00.000Z'),
    fc.integer({ min: -5, max: 40 }),
    ...(named.length > 0 ? [fc.constantFrom(...named), fc.constantFrom(...named)] : []),
  );
  return fc
    .record(
      {
        id: fc.oneof(
          fc.constantFrom(...ID_POOL),
          fc.constantFrom(...NUMBER_IDS),
          fc.constantFrom('', undefined, null, Number.NaN, Number.POSITIVE_INFINITY, true),
          fc.string({ maxLength: 4 }),
        ),
        groups: fc.oneof(
          fc.array(fc.oneof(fc.constantFrom(...GROUP_POOL), fc.constant(7)), { maxLength: 3 }),
          fc.constant('beta'),
        ),
        attributes: fc.dictionary(fc.constantFrom(...ATTRIBUTES), attributeValue, { maxKeys: 3 }),
        inherited: fc.dictionary(fc.constantFrom(...ATTRIBUTES, 'groups', 'id'), attributeValue, {
          maxKeys: 2,
        }),
        // Plain objects and null-prototype ones are read before the own check, objects
        // with a prototype of their own after it (own-property.ts): all must answer alike.
        shape: fc.constantFrom('plain', 'null-prototype', 'inherits'),
      },
      { requiredKeys: ['attributes', 'inherited', 'shape'] },
    )
    .map(({ attributes, inherited, shape, ...own }) => {
      // Inherited values (a shared prototype) must count for nothing, on every path.
      const proto =
        shape === 'plain'
          ? Object.prototype
          : shape === 'null-prototype'
            ? null
            : { ...inherited, groups: ['beta', 'vip'] };
      const u = Object.create(proto) as Record<string, unknown>;
      for (const [k, v] of Object.entries({ ...own, ...attributes })) {
        Object.defineProperty(u, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return u as User;
    });
}

/** Groups defined in code: true, false, truthy-but-not-true, or throwing. */
const codeGroups = fc
  .dictionary(
    fc.constantFrom('beta', 'vip', 'staff'),
    fc.constantFrom('yes', 'no', 'truthy', 'throws'),
    {
      maxKeys: 3,
    },
  )
  .map((spec) => {
    const map = new Map<string, GroupPredicate>();
    for (const [name, how] of Object.entries(spec)) {
      map.set(name, (u) => {
        if (how === 'throws') throw new Error(`${name} failed`);
        if (how === 'truthy') return 1 as unknown as boolean;
        return how === 'yes' && u.id !== undefined;
      });
    }
    return map;
  });

describe('decide: every specialised evaluator answers as the general path', () => {
  it('gives the same reason, and reports the same group errors, for random features and users', () => {
    const kinds = new Set<EvaluatorKind>();
    fc.assert(
      fc.property(
        featureInput.chain((input) =>
          fc.tuple(fc.constant(input), fc.array(userFor(input), { minLength: 1, maxLength: 8 })),
        ),
        codeGroups,
        ([input, users], groups) => {
          const cf = compileFeature(feature(input));
          kinds.add(cf.kind);
          for (const u of users) {
            const generalErrors: string[] = [];
            const specialErrors: string[] = [];
            const general = evaluateFeature(cf, u, groups, (g) => generalErrors.push(g), undefined);
            const special = decide(cf, u, groups, (g) => specialErrors.push(g));
            expect(special).toBe(general);
            expect(specialErrors).toEqual(generalErrors);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Every kind was drawn, so every specialised evaluator was compared.
    const all = Object.values(EvaluatorKind).filter(
      (k): k is EvaluatorKind => typeof k === 'number',
    );
    expect([...kinds].sort()).toEqual(all.sort());
  });

  it('answers as the general path for users that are hits of each kind', () => {
    // Hand-picked hits, so no kind is compared on misses only.
    const hits: [Omit<FeatureInput, 'name'>, User, string][] = [
      [{ groups: ['ALL'], excludedUsers: ['u1'] }, { id: 'u1' }, 'USER_EXCLUDED'],
      [{ groups: ['ALL'], excludedUsers: ['u1'] }, { id: 'u2' }, 'ALL'],
      [{ users: [10] }, { id: 10 }, 'USER_LISTED'],
      [{ users: ['10'] }, { id: '10' }, 'USER_LISTED'],
      [{ percentage: 100 }, { id: 'x' }, 'PERCENTAGE'],
      [{ percentage: 100 }, {}, 'DEFAULT'],
      [{ excludedUsers: ['x'], percentage: 100 }, { id: 'x' }, 'USER_EXCLUDED'],
      [
        { rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'] }] },
        { plan: 'vip' },
        'RULE',
      ],
      [{ rules: [{ attribute: 'age', operator: 'gte', values: [18] }] }, { age: 18 }, 'RULE'],
    ];
    for (const [input, u, reason] of hits) {
      const cf = compileFeature(feature(input));
      expect(decide(cf, u, new Map(), undefined)).toBe(reason);
      expect(evaluateFeature(cf, u, new Map(), undefined, undefined)).toBe(reason);
    }
  });
});
