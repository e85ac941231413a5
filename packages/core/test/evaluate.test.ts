import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compileFeature,
  type EvaluationDetail,
  evaluateFeature,
  type FeatureInput,
  featureFromInput,
  type GroupPredicate,
  GroupPredicateError,
  isOnReason,
  OPEN_FEATURE_REASONS,
  type Reason,
  Rollout,
  type RolloutError,
  type User,
} from '../src/index.js';
import { TestStore } from './support/test-store.js';

const NOW = '2026-01-01T00:00:00.000Z';
const noGroups = new Map<string, GroupPredicate>();

function decide(
  input: Omit<FeatureInput, 'name'>,
  user: User,
  codeGroups: ReadonlyMap<string, GroupPredicate> = noGroups,
  onError?: (group: string, error: unknown) => void,
): Reason {
  const cf = compileFeature(featureFromInput({ name: 'f', ...input }, NOW));
  return evaluateFeature(cf, user, codeGroups, onError, undefined);
}

// Each step of the documented order, as the part of a feature that triggers it and
// the part of a user that satisfies it. The order of this list IS the documented order.
const STEPS: {
  reason: Reason;
  feature: Omit<FeatureInput, 'name'>;
  user: Partial<User>;
}[] = [
  { reason: 'KILL_SWITCH', feature: { groups: ['NONE'] }, user: {} },
  { reason: 'USER_EXCLUDED', feature: { excludedUsers: ['u1'] }, user: {} },
  { reason: 'ALL', feature: { groups: ['ALL'] }, user: {} },
  { reason: 'USER_LISTED', feature: { users: ['u1'] }, user: {} },
  { reason: 'GROUP', feature: { groups: ['vip'] }, user: { groups: ['vip'] } },
  {
    reason: 'RULE',
    feature: { rules: [{ attribute: 'country', operator: 'eq', values: ['NZ'] }] },
    user: { country: 'NZ' },
  },
  { reason: 'PERCENTAGE', feature: { percentage: 100 }, user: {} },
];

function combine(indexes: number[]): { feature: Omit<FeatureInput, 'name'>; user: User } {
  const feature: Omit<FeatureInput, 'name'> & { groups: string[] } = { groups: [] };
  const user: User & { groups: string[] } = { id: 'u1', groups: [] };
  for (const i of indexes) {
    const step = STEPS[i]!;
    const { groups, ...rest } = step.feature;
    feature.groups.push(...(groups ?? []));
    Object.assign(feature, rest);
    const { groups: userGroups, ...attrs } = step.user;
    user.groups.push(...(userGroups ?? []));
    Object.assign(user, attrs);
  }
  return { feature, user };
}

describe('evaluation order', () => {
  it('each step alone decides with its own reason', () => {
    STEPS.forEach((step, i) => {
      const { feature, user } = combine([i]);
      expect(decide(feature, user), step.reason).toBe(step.reason);
    });
    expect(decide({}, { id: 'u1' })).toBe('DEFAULT');
  });

  it('when several steps would decide, the earliest in the documented order wins (all 127 combinations)', () => {
    for (let mask = 1; mask < 1 << STEPS.length; mask++) {
      const indexes = STEPS.map((_, i) => i).filter((i) => mask & (1 << i));
      const { feature, user } = combine(indexes);
      const expected = STEPS[indexes[0]!]!.reason;
      expect(decide(feature, user), indexes.map((i) => STEPS[i]!.reason).join('+')).toBe(expected);
    }
  });

  it('NONE beats ALL, listed users, groups, rules and 100 %', () => {
    const everything = combine([2, 3, 4, 5, 6]);
    expect(decide(everything.feature, everything.user)).toBe('ALL');
    const killed = combine([0, 2, 3, 4, 5, 6]);
    expect(decide(killed.feature, killed.user)).toBe('KILL_SWITCH');
    expect(isOnReason('KILL_SWITCH')).toBe(false);
  });

  it('the deny list beats ALL, the user list, groups, rules and percentage, for that user only', () => {
    const { feature, user } = combine([1, 2, 3, 4, 5, 6]);
    expect(decide(feature, user)).toBe('USER_EXCLUDED');
    expect(decide(feature, { ...user, id: 'u2' })).toBe('ALL');
  });

  it('the deny list beats a code group too', () => {
    const groups = new Map<string, GroupPredicate>([['staff', () => true]]);
    expect(decide({ groups: ['staff'], excludedUsers: ['u1'] }, { id: 'u1' }, groups)).toBe(
      'USER_EXCLUDED',
    );
    expect(decide({ groups: ['staff'], excludedUsers: ['u1'] }, { id: 'u2' }, groups)).toBe(
      'GROUP',
    );
  });

  it('on reasons are exactly ALL, USER_LISTED, GROUP, RULE, PERCENTAGE', () => {
    const all: Reason[] = [
      'NOT_READY',
      'FEATURE_NOT_FOUND',
      'KILL_SWITCH',
      'USER_EXCLUDED',
      'ALL',
      'USER_LISTED',
      'GROUP',
      'RULE',
      'PERCENTAGE',
      'DEFAULT',
      'ERROR',
    ];
    expect(all.filter(isOnReason)).toEqual(['ALL', 'USER_LISTED', 'GROUP', 'RULE', 'PERCENTAGE']);
  });

  it('maps every reason onto an OpenFeature reason', () => {
    expect(OPEN_FEATURE_REASONS).toEqual({
      NOT_READY: 'ERROR',
      FEATURE_NOT_FOUND: 'ERROR',
      KILL_SWITCH: 'DISABLED',
      USER_EXCLUDED: 'TARGETING_MATCH',
      ALL: 'STATIC',
      USER_LISTED: 'TARGETING_MATCH',
      GROUP: 'TARGETING_MATCH',
      RULE: 'TARGETING_MATCH',
      PERCENTAGE: 'SPLIT',
      DEFAULT: 'DEFAULT',
      ERROR: 'ERROR',
    });
  });

  it('fills in the detail: the matching group, the rule index, the bucket position', () => {
    const detail: EvaluationDetail = { group: undefined, rule: -1, position: -1 };
    const cf = compileFeature(
      featureFromInput(
        {
          name: 'f',
          groups: ['a', 'b'],
          rules: [
            { attribute: 'plan', operator: 'eq', values: ['pro'] },
            { attribute: 'country', operator: 'in', values: ['NZ', 'AU'] },
          ],
          percentage: 50,
        },
        NOW,
      ),
    );
    expect(evaluateFeature(cf, { id: 1, groups: ['x', 'b'] }, noGroups, undefined, detail)).toBe(
      'GROUP',
    );
    expect(detail.group).toBe('b');
    expect(evaluateFeature(cf, { id: 1, country: 'AU' }, noGroups, undefined, detail)).toBe('RULE');
    expect(detail.rule).toBe(1);
    detail.position = -1;
    evaluateFeature(cf, { id: 'someone' }, noGroups, undefined, detail);
    expect(detail.position).toBeGreaterThanOrEqual(0);
    expect(detail.position).toBeLessThan(100);
  });
});

describe('user ids', () => {
  it('numeric and string ids are the same user on the allow list and the deny list', () => {
    expect(decide({ users: [123] }, { id: '123' })).toBe('USER_LISTED');
    expect(decide({ users: ['123'] }, { id: 123 })).toBe('USER_LISTED');
    expect(decide({ users: [-5, 1.5] }, { id: '-5' })).toBe('USER_LISTED');
    expect(decide({ users: ['1.5'] }, { id: 1.5 })).toBe('USER_LISTED');
    expect(decide({ groups: ['ALL'], excludedUsers: [123] }, { id: '123' })).toBe('USER_EXCLUDED');
    expect(decide({ groups: ['ALL'], excludedUsers: ['123'] }, { id: 123 })).toBe('USER_EXCLUDED');
  });

  it('ids that only look alike are different users', () => {
    expect(decide({ users: ['0123'] }, { id: 123 })).toBe('DEFAULT');
    expect(decide({ users: [123] }, { id: '0123' })).toBe('DEFAULT');
    expect(decide({ users: [123] }, { id: '123.0' })).toBe('DEFAULT');
    expect(decide({ users: [123] }, { id: ' 123' })).toBe('DEFAULT');
    expect(decide({ users: ['abc'] }, { id: 'ABC' })).toBe('DEFAULT');
  });

  it('numeric and string ids fall in the same bucket', () => {
    for (const id of [0, 1, 7, 123, 99999, -1, -42, 2 ** 53 - 1]) {
      for (const p of [1, 33.333, 50, 99]) {
        expect(decide({ percentage: p }, { id })).toBe(
          decide({ percentage: p }, { id: String(id) }),
        );
      }
    }
  });

  it('users without an id are never in a percentage, not even 100 %, and never on a list', () => {
    for (const user of [
      {},
      { id: null },
      { id: '' },
      { id: Number.NaN },
      { id: Infinity },
    ] as User[]) {
      expect(decide({ percentage: 100 }, user)).toBe('DEFAULT');
      expect(decide({ users: ['NaN', 'null', 'Infinity', 'undefined'] }, user)).toBe('DEFAULT');
      expect(decide({ groups: ['ALL'], excludedUsers: ['NaN', 'null'] }, user)).toBe('ALL');
    }
  });

  it('users without an id still get ALL, groups and rules', () => {
    expect(decide({ groups: ['ALL'] }, {})).toBe('ALL');
    expect(decide({ groups: ['vip'] }, { groups: ['vip'] })).toBe('GROUP');
    expect(
      decide(
        { rules: [{ attribute: 'country', operator: 'eq', values: ['NZ'] }] },
        { country: 'NZ' },
      ),
    ).toBe('RULE');
  });
});

describe('groups', () => {
  it('data groups match only through the user own groups array of strings', () => {
    expect(decide({ groups: ['vip'] }, { id: 1, groups: ['vip'] })).toBe('GROUP');
    expect(decide({ groups: ['vip'] }, { id: 1, groups: ['VIP'] })).toBe('DEFAULT');
    expect(decide({ groups: ['vip'] }, { id: 1, groups: 'vip' as unknown as string[] })).toBe(
      'DEFAULT',
    );
    expect(decide({ groups: ['1'] }, { id: 1, groups: [1] as unknown as string[] })).toBe(
      'DEFAULT',
    );
  });

  it('groups are read as the user own property, never through the prototype chain', () => {
    const inherited = Object.create({ groups: ['vip'] }) as User;
    expect(decide({ groups: ['vip'] }, inherited)).toBe('DEFAULT');
    expect(
      decide({ groups: ['vip'] }, Object.assign(Object.create(null), { groups: ['vip'] })),
    ).toBe('GROUP');
    // Own groups still match when the prototype has others.
    const own = Object.assign(Object.create({ groups: ['other'] }), { groups: ['vip'] }) as User;
    expect(decide({ groups: ['vip'] }, own)).toBe('GROUP');
  });

  it('a user claiming the groups ALL or NONE gets nothing from it', () => {
    expect(decide({ groups: ['vip'] }, { id: 1, groups: ['ALL'] })).toBe('DEFAULT');
    expect(decide({ groups: ['vip'] }, { id: 1, groups: ['NONE', 'vip'] })).toBe('GROUP');
  });

  it('code groups match when their predicate returns true, and only when listed on the feature', () => {
    const groups = new Map<string, GroupPredicate>([
      ['caretakers', (u) => u.caretaker === true],
      ['truthy', () => 1 as unknown as boolean],
    ]);
    expect(decide({ groups: ['caretakers'] }, { id: 1, caretaker: true }, groups)).toBe('GROUP');
    expect(decide({ groups: ['caretakers'] }, { id: 1, caretaker: 'yes' }, groups)).toBe('DEFAULT');
    expect(decide({ groups: ['other'] }, { id: 1, caretaker: true }, groups)).toBe('DEFAULT');
    // The predicate's contract is a boolean: a truthy non-boolean does not count.
    expect(decide({ groups: ['truthy'] }, { id: 1 }, groups)).toBe('DEFAULT');
  });

  it('a throwing predicate counts as not matching, is reported, and evaluation goes on', () => {
    const boom = new Error('boom');
    const groups = new Map<string, GroupPredicate>([
      [
        'broken',
        () => {
          throw boom;
        },
      ],
      ['fine', () => true],
    ]);
    const seen: [string, unknown][] = [];
    const onError = (g: string, e: unknown) => seen.push([g, e]);
    expect(decide({ groups: ['broken', 'fine'] }, { id: 1 }, groups, onError)).toBe('GROUP');
    expect(decide({ groups: ['broken'], percentage: 100 }, { id: 1 }, groups, onError)).toBe(
      'PERCENTAGE',
    );
    expect(decide({ groups: ['broken'] }, { id: 1 }, groups, onError)).toBe('DEFAULT');
    expect(decide({ groups: ['broken'] }, { id: 1 }, groups, undefined)).toBe('DEFAULT');
    expect(seen).toEqual([
      ['broken', boom],
      ['broken', boom],
      ['broken', boom],
    ]);
  });
});

describe('Rollout.explain and code groups through the client', () => {
  let rollout: Rollout;
  let errors: RolloutError[];

  beforeEach(async () => {
    rollout = new Rollout({ store: new TestStore() });
    errors = [];
    rollout.on('error', (e) => errors.push(e));
    await rollout.ready();
  });

  afterEach(async () => {
    await rollout.close();
  });

  it('names the deciding step, its OpenFeature reason and what decided', async () => {
    await rollout.addFeature({
      name: 'f',
      groups: ['vip'],
      users: [7],
      excludedUsers: [8],
      rules: [{ attribute: 'plan', operator: 'eq', values: ['pro'] }],
      percentage: 30,
    });
    const listed = rollout.explain({ id: 7 }, 'f');
    expect(listed).toMatchObject({
      feature: 'f',
      enabled: true,
      reason: 'USER_LISTED',
      openFeatureReason: 'TARGETING_MATCH',
      ready: true,
      stale: false,
      userId: 7,
      version: 1,
      revision: rollout.revision,
    });
    expect(rollout.explain({ id: 8, groups: ['vip'] }, 'f')).toMatchObject({
      enabled: false,
      reason: 'USER_EXCLUDED',
      openFeatureReason: 'TARGETING_MATCH',
    });
    expect(rollout.explain({ id: 9, groups: ['vip'] }, 'f')).toMatchObject({
      enabled: true,
      reason: 'GROUP',
      group: 'vip',
    });
    expect(rollout.explain({ id: 9, plan: 'pro' }, 'f')).toMatchObject({
      enabled: true,
      reason: 'RULE',
      rule: 0,
    });
    // Find one user inside and one outside the 30 %.
    let inside: Record<string, unknown> | undefined;
    let outside: Record<string, unknown> | undefined;
    for (let id = 100; (!inside || !outside) && id < 1000; id++) {
      const e = rollout.explain({ id }, 'f');
      if (e.enabled) inside ??= { ...e };
      else outside ??= { ...e };
    }
    expect(inside).toMatchObject({
      reason: 'PERCENTAGE',
      openFeatureReason: 'SPLIT',
      percentage: 30,
    });
    expect(inside?.bucket as number).toBeLessThan(30);
    expect(outside).toMatchObject({
      reason: 'DEFAULT',
      openFeatureReason: 'DEFAULT',
      percentage: 30,
    });
    expect(outside?.bucket as number).toBeGreaterThanOrEqual(30);
    expect(rollout.explain({ id: 1 }, 'missing')).toMatchObject({
      enabled: false,
      reason: 'FEATURE_NOT_FOUND',
      openFeatureReason: 'ERROR',
    });
    expect(errors).toEqual([]);
  });

  it('explain agrees with can, and its openFeatureReason with the mapping table', async () => {
    await rollout.addFeature({ name: 'k', groups: ['NONE', 'ALL'] });
    await rollout.addFeature({ name: 'a', groups: ['ALL'] });
    await rollout.addFeature({ name: 'p', percentage: 50 });
    for (const name of ['k', 'a', 'p', 'nope']) {
      for (const id of [1, 2, 3, 4, 5, 'x', 'y']) {
        const e = rollout.explain({ id }, name);
        expect(e.enabled).toBe(rollout.can({ id }, name));
        expect(e.openFeatureReason).toBe(OPEN_FEATURE_REASONS[e.reason]);
      }
    }
    expect(rollout.explain({ id: 1 }, 'k')).toMatchObject({
      reason: 'KILL_SWITCH',
      openFeatureReason: 'DISABLED',
    });
    expect(rollout.explain({ id: 1 }, 'a')).toMatchObject({
      reason: 'ALL',
      openFeatureReason: 'STATIC',
    });
  });

  it('can and explain ignore groups a user only inherits through its prototype', async () => {
    await rollout.addFeature({ name: 'vips', groups: ['vip'] });
    const inherited = Object.create({ groups: ['vip'] }) as User;
    expect(rollout.can(inherited, 'vips')).toBe(false);
    expect(rollout.explain(inherited, 'vips')).toMatchObject({ enabled: false, reason: 'DEFAULT' });
    expect(rollout.explain(inherited, 'vips').group).toBeUndefined();
    const own = Object.assign(Object.create(null), { groups: ['vip'] }) as User;
    expect(rollout.can(own, 'vips')).toBe(true);
    expect(rollout.explain(own, 'vips')).toMatchObject({ reason: 'GROUP', group: 'vip' });
    expect(errors).toEqual([]);
  });

  it('defineGroup opens a feature to users the predicate accepts', async () => {
    rollout.defineGroup('caretakers', (user) => user.caretaker === true);
    await rollout.addFeature({ name: 'care', groups: ['caretakers'] });
    expect(rollout.can({ id: 1, caretaker: true }, 'care')).toBe(true);
    expect(rollout.can({ id: 2, caretaker: false }, 'care')).toBe(false);
    expect(rollout.explain({ id: 1, caretaker: true }, 'care')).toMatchObject({
      reason: 'GROUP',
      group: 'caretakers',
    });
    expect(rollout.definedGroups()).toEqual(['caretakers']);
    // Redefining replaces the predicate.
    rollout.defineGroup('caretakers', () => false);
    expect(rollout.can({ id: 1, caretaker: true }, 'care')).toBe(false);
  });

  it('defineGroup refuses ALL, NONE, bad names and non-functions', () => {
    for (const name of ['ALL', 'NONE', '', ' x', 'a\u0000b']) {
      expect(() => rollout.defineGroup(name, () => true)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => rollout.defineGroup('ok', 'yes' as unknown as () => boolean)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'predicate' }),
    );
  });

  it('a throwing predicate never reaches the caller: can is false, error carries GroupPredicateError', async () => {
    const cause = new TypeError('cannot read caretaker of undefined');
    rollout.defineGroup('broken', () => {
      throw cause;
    });
    await rollout.addFeature({ name: 'b', groups: ['broken'] });
    expect(rollout.can({ id: 1 }, 'b')).toBe(false);
    expect(rollout.explain({ id: 1 }, 'b')).toMatchObject({ enabled: false, reason: 'DEFAULT' });
    expect(errors).toHaveLength(2);
    const error = errors[0] as GroupPredicateError;
    expect(error).toBeInstanceOf(GroupPredicateError);
    expect(error.code).toBe('GROUP_PREDICATE_FAILED');
    expect(error.group).toBe('broken');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('"broken"');
  });

  it('a mapUser that throws makes can false and explain ERROR, reported through error', async () => {
    const mapped = new Rollout<{ name: string }>({
      store: new TestStore(),
      mapUser: (u) => {
        if (u.name === 'bad') throw new Error('unmappable');
        return { id: u.name };
      },
    });
    const seen: RolloutError[] = [];
    mapped.on('error', (e) => seen.push(e));
    await mapped.ready();
    await mapped.addFeature({ name: 'f', users: ['alice'] });
    expect(mapped.can({ name: 'alice' }, 'f')).toBe(true);
    expect(mapped.can({ name: 'bad' }, 'f')).toBe(false);
    expect(mapped.explain({ name: 'bad' }, 'f')).toMatchObject({ enabled: false, reason: 'ERROR' });
    expect(seen).toHaveLength(2);
    expect(seen[0]?.message).toContain('unmappable');
    await mapped.activateUser('f', { name: 'bob' });
    expect(mapped.can({ name: 'bob' }, 'f')).toBe(true);
    await mapped.close();
  });

  it('a bare id works as a user', async () => {
    await rollout.addFeature({ name: 'f', users: [5] });
    expect(rollout.can(5 as unknown as User, 'f')).toBe(true);
    expect(rollout.can('5' as unknown as User, 'f')).toBe(true);
    expect(rollout.can(null as unknown as User, 'f')).toBe(false);
    expect(rollout.can(undefined as unknown as User, 'f')).toBe(false);
    expect(errors).toEqual([]);
  });
});
