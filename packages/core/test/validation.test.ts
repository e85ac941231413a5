import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeValue,
  type FeatureInput,
  featureFromInput,
  LIMITS,
  normalizeUserId,
  parseFeature,
  Rollout,
  ValidationError,
  validateFeatureName,
  validatePercentage,
} from '../src/index.js';
import { TestStore } from './support/test-store.js';

const NOW = '2026-01-01T00:00:00.000Z';

/** Asserts `run` throws a ValidationError for `field` whose message names the field and the value. */
function rejects(run: () => unknown, field: string, ...value: [unknown?]): ValidationError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ValidationError for ${field}`).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.field).toBe(field);
  expect(error.message).toContain(`invalid ${field} `);
  if (value.length > 0) {
    expect(Object.is(error.value, value[0])).toBe(true);
    expect(error.message).toContain(describeValue(value[0]));
  }
  return error;
}

function add(input: unknown): void {
  featureFromInput(input, NOW);
}

const withName = (rest: Record<string, unknown>) => ({ name: 'f', ...rest });

describe('feature names', () => {
  it('accepts names that look like prototype members or separators, as plain data', () => {
    const names = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'prototype',
      'a,b',
      'a|b',
      'a:b',
      'a"b',
      "a'b",
      'a`b',
      '*',
      '?',
      '[abc]',
      '../etc/passwd',
      "'; DROP TABLE features; --",
      'naïve feature',
      '機能',
      '🚀',
      'x'.repeat(LIMITS.nameLength),
    ];
    for (const name of names) expect(validateFeatureName(name)).toBe(name);
    expect(featureFromInput({ name: '__proto__' }, NOW).name).toBe('__proto__');
  });

  it('rejects non-strings, empty, too long, control characters, lone surrogates, outer white space', () => {
    for (const bad of [123, null, undefined, true, {}, [], ['a'], Symbol('s'), 10n]) {
      rejects(() => validateFeatureName(bad), 'name', bad);
    }
    const cases = [
      '',
      'x'.repeat(LIMITS.nameLength + 1),
      'a\u0000b',
      'a\nb',
      'a\tb',
      'a\rb',
      'a\u001bb',
      'a\u007fb',
      'a\u0085b',
      'a\ud800b',
      'a\udc00',
      ' a',
      'a ',
      '\u00a0a',
    ];
    for (const bad of cases) rejects(() => validateFeatureName(bad), 'name', bad);
    rejects(() => add({ name: 42 }), 'name', 42);
    rejects(() => add({}), 'name', undefined);
    // A valid surrogate pair is fine.
    expect(validateFeatureName('a\ud83d\ude80')).toBe('a🚀');
  });

  it('shortens huge values in messages', () => {
    const error = rejects(() => validateFeatureName('y'.repeat(5000)), 'name');
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('percentages', () => {
  it('rejects NaN, negatives, over 100, infinities and non-numbers', () => {
    for (const bad of [
      Number.NaN,
      -1,
      -0.001,
      100.001,
      101,
      Infinity,
      -Infinity,
      '20',
      null,
      true,
    ]) {
      rejects(() => validatePercentage(bad), 'percentage', bad);
      rejects(() => add(withName({ percentage: bad })), 'percentage', bad);
    }
  });

  it('accepts 0 to 100 and rounds to 0.001', () => {
    expect(validatePercentage(0)).toBe(0);
    expect(validatePercentage(100)).toBe(100);
    expect(validatePercentage(0.001)).toBe(0.001);
    expect(validatePercentage(33.3333)).toBe(33.333);
    expect(validatePercentage(12.3456)).toBe(12.346);
    expect(featureFromInput(withName({ percentage: 20 }), NOW).percentage).toBe(20);
  });
});

describe('user ids and groups', () => {
  it('normalizes ids: numbers become their decimal string', () => {
    expect(normalizeUserId(123)).toBe('123');
    expect(normalizeUserId(-5)).toBe('-5');
    expect(normalizeUserId(1.5)).toBe('1.5');
    expect(normalizeUserId('__proto__')).toBe('__proto__');
    expect(normalizeUserId('a,b|c:"d"')).toBe('a,b|c:"d"');
  });

  it('rejects bad ids with the list position as the field', () => {
    rejects(() => add(withName({ users: [1, 2, ''] })), 'users[2]', '');
    rejects(() => add(withName({ users: [Number.NaN] })), 'users[0]', Number.NaN);
    rejects(() => add(withName({ users: [Infinity] })), 'users[0]', Infinity);
    rejects(() => add(withName({ users: [null] })), 'users[0]', null);
    rejects(() => add(withName({ users: [{ id: 1 }] })), 'users[0]');
    rejects(() => add(withName({ users: ['a\nb'] })), 'users[0]', 'a\nb');
    const long = 'u'.repeat(LIMITS.userIdLength + 1);
    rejects(() => add(withName({ excludedUsers: ['ok', long] })), 'excludedUsers[1]', long);
    rejects(() => add(withName({ users: 'u1' })), 'users', 'u1');
  });

  it('normalizes lists: sorted, without duplicates, 123 and "123" once', () => {
    const f = featureFromInput(
      withName({ users: [789, '123', 123, 456, 'b', 'a'], groups: ['vip', 'ALL', 'vip'] }),
      NOW,
    );
    expect(f.users).toEqual(['123', '456', '789', 'a', 'b']);
    expect(f.groups).toEqual(['ALL', 'vip']);
  });

  it('rejects bad group names', () => {
    rejects(() => add(withName({ groups: ['ok', ''] })), 'groups[1]', '');
    rejects(() => add(withName({ groups: [1] })), 'groups[0]', 1);
    rejects(() => add(withName({ groups: ['a\u0000'] })), 'groups[0]', 'a\u0000');
    rejects(() => add(withName({ groups: 'vip' })), 'groups', 'vip');
  });
});

describe('sizes over LIMITS', () => {
  it('rejects lists longer than their limit, and accepts exactly the limit', () => {
    const users = Array.from({ length: LIMITS.users + 1 }, (_, i) => i);
    rejects(() => add(withName({ users })), 'users');
    rejects(() => add(withName({ excludedUsers: users })), 'excludedUsers');
    expect(featureFromInput(withName({ users: users.slice(1) }), NOW).users).toHaveLength(
      LIMITS.users,
    );
    const groups = Array.from({ length: LIMITS.groups + 1 }, (_, i) => `g${i}`);
    rejects(() => add(withName({ groups })), 'groups');
    const rule = { attribute: 'a', operator: 'eq', values: [1] };
    rejects(() => add(withName({ rules: new Array(LIMITS.rules + 1).fill(rule) })), 'rules');
    rejects(
      () => add(withName({ rules: [{ conditions: new Array(LIMITS.conditions + 1).fill(rule) }] })),
      'rules[0].conditions',
    );
    const values = Array.from({ length: LIMITS.conditionValues + 1 }, (_, i) => i);
    rejects(
      () => add(withName({ rules: [{ attribute: 'a', operator: 'in', values }] })),
      'rules[0].values',
    );
  });

  it('rejects long descriptions, attribute names and condition values', () => {
    const text = 'd'.repeat(LIMITS.descriptionLength + 1);
    rejects(() => add(withName({ description: text })), 'description', text);
    rejects(() => add(withName({ description: 5 })), 'description', 5);
    const attr = 'a'.repeat(LIMITS.attributeLength + 1);
    rejects(
      () => add(withName({ rules: [{ attribute: attr, operator: 'eq', values: [1] }] })),
      'rules[0].attribute',
      attr,
    );
    const value = 'v'.repeat(LIMITS.conditionValueLength + 1);
    rejects(
      () => add(withName({ rules: [{ attribute: 'a', operator: 'eq', values: [value] }] })),
      'rules[0].values[0]',
      value,
    );
  });

  it('rejects data over the byte limit or nested too deep', () => {
    rejects(() => add(withName({ data: { blob: 'x'.repeat(LIMITS.dataBytes) } })), 'data');
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < LIMITS.dataDepth + 1; i++) {
      const next = {};
      deep.k = next;
      deep = next;
    }
    expect(() => add(withName({ data: root }))).toThrow(ValidationError);
    // Multi-byte text counts in bytes, not characters.
    const emoji = '🚀'.repeat(LIMITS.dataBytes / 4);
    rejects(() => add(withName({ data: { emoji } })), 'data');
  });
});

describe('rules', () => {
  const rule = (condition: Record<string, unknown>) => withName({ rules: [condition] });

  it('rejects non-objects, missing attributes and unknown operators', () => {
    rejects(
      () => add(rule('country' as unknown as Record<string, unknown>)),
      'rules[0]',
      'country',
    );
    rejects(() => add(withName({ rules: [null] })), 'rules[0]', null);
    rejects(() => add(withName({ rules: [[1]] })), 'rules[0]');
    rejects(() => add(withName({ rules: 'x' })), 'rules', 'x');
    rejects(() => add(rule({ operator: 'eq', values: [1] })), 'rules[0].attribute', undefined);
    for (const op of ['regex', 'matches', 'EQ', '__proto__', 'constructor', '', 3, undefined]) {
      rejects(
        () => add(rule({ attribute: 'a', operator: op, values: ['x'] })),
        'rules[0].operator',
        op,
      );
    }
  });

  it('rejects missing, empty or wrongly sized value lists', () => {
    rejects(() => add(rule({ attribute: 'a', operator: 'in' })), 'rules[0].values', undefined);
    rejects(() => add(rule({ attribute: 'a', operator: 'in', values: [] })), 'rules[0].values');
    rejects(
      () => add(rule({ attribute: 'a', operator: 'in', values: 'NZ' })),
      'rules[0].values',
      'NZ',
    );
    rejects(() => add(rule({ attribute: 'a', operator: 'eq', values: [1, 2] })), 'rules[0].values');
    rejects(() => add(rule({ attribute: 'a', operator: 'lt', values: [1, 2] })), 'rules[0].values');
    rejects(() => add(withName({ rules: [{ conditions: [] }] })), 'rules[0].conditions');
  });

  it('rejects values of the wrong type for the operator', () => {
    const bad: [string, unknown][] = [
      ['eq', null],
      ['eq', { a: 1 }],
      ['eq', [1]],
      ['eq', Number.NaN],
      ['in', Infinity],
      ['lt', '18'],
      ['gte', true],
      ['contains', 1],
      ['startsWith', true],
      ['semverGt', '1.2'],
      ['semverEq', 'latest'],
      ['semverLt', 1],
      ['before', 'not a date'],
      ['after', true],
    ];
    for (const [operator, value] of bad) {
      rejects(
        () => add(rule({ attribute: 'a', operator, values: [value] })),
        'rules[0].values[0]',
        value,
      );
    }
    rejects(
      () =>
        add(
          withName({
            rules: [
              {
                conditions: [
                  { attribute: 'a', operator: 'eq', values: [1] },
                  { attribute: 'b', operator: 'lt', values: ['x'] },
                ],
              },
            ],
          }),
        ),
      'rules[0].conditions[1].values[0]',
      'x',
    );
  });

  it('rejects unknown keys in conditions and rules instead of silently dropping them', () => {
    // A misspelt or unsupported key (say a `negate` flag) must not quietly store a rule
    // that means something else than its author thought.
    rejects(
      () => add(rule({ attribute: 'a', operator: 'eq', values: ['x'], negate: true })),
      'rules[0].negate',
      true,
    );
    rejects(() => add(rule({ attribute: 'a', operator: 'eq', valuse: ['x'] })), 'rules[0].valuse');
    rejects(
      () => add(rule({ attribute: 'a', operator: 'eq', value: 'x', values: ['y'] })),
      'rules[0].value',
      'x',
    );
    rejects(
      () =>
        add(
          withName({
            rules: [{ conditions: [{ attribute: 'a', operator: 'eq', values: [1] }], name: 'r' }],
          }),
        ),
      'rules[0].name',
      'r',
    );
    rejects(
      () =>
        add(
          withName({
            rules: [{ conditions: [{ attribute: 'a', operator: 'eq', values: [1], op: 'x' }] }],
          }),
        ),
      'rules[0].conditions[0].op',
      'x',
    );
  });

  it('accepts every operator with a good value, and the single-condition shorthand', () => {
    const f = featureFromInput(
      withName({
        rules: [
          { attribute: 'country', operator: 'in', values: ['NZ', 'AU'] },
          { attribute: 'age', operator: 'gte', value: 18 },
          {
            conditions: [
              { attribute: 'app', operator: 'semverGte', values: ['2.0.0-rc.1'] },
              { attribute: 'signup', operator: 'before', values: ['2026-01-01'] },
              { attribute: 'seen', operator: 'after', values: [0] },
            ],
          },
        ],
      }),
      NOW,
    );
    expect(f.rules).toEqual([
      { conditions: [{ attribute: 'country', operator: 'in', values: ['NZ', 'AU'] }] },
      { conditions: [{ attribute: 'age', operator: 'gte', values: [18] }] },
      {
        conditions: [
          { attribute: 'app', operator: 'semverGte', values: ['2.0.0-rc.1'] },
          { attribute: 'signup', operator: 'before', values: ['2026-01-01'] },
          { attribute: 'seen', operator: 'after', values: [0] },
        ],
      },
    ]);
  });
});

describe('data', () => {
  it('rejects anything that is not plain JSON', () => {
    class Thing {
      x = 1;
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [[1, 2], 'data'],
      ['text', 'data'],
      [null, 'data'],
      [new Date(0), 'data'],
      [new Map(), 'data'],
      [new Thing(), 'data'],
      [{ when: new Date(0) }, 'data.when'],
      [{ f: () => 1 }, 'data.f'],
      [{ u: undefined }, 'data.u'],
      [{ n: Number.NaN }, 'data.n'],
      [{ n: Infinity }, 'data.n'],
      [{ b: 10n }, 'data.b'],
      [{ s: Symbol('s') }, 'data.s'],
      [{ list: [1, new Set()] }, 'data.list[1]'],
    ];
    for (const [data, field] of cases) {
      rejects(() => add(withName({ data })), field);
    }
    expect(() => add(withName({ data: cyclic }))).toThrow(ValidationError);
  });

  it('keeps a "__proto__" key as plain data and pollutes nothing', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}');
    const f = featureFromInput(withName({ data }), NOW);
    expect(Object.keys(f.data)).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(f.data)).toBe(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":1}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(f.data)).toBe(Object.prototype);
  });

  it('rejects unknown feature fields and unknown hash versions', () => {
    rejects(() => add(withName({ percent: 20 })), 'percent', 20);
    rejects(() => add(withName({ version: 3 })), 'version', 3);
    for (const v of [0, 99, 1.5, '1', null])
      rejects(() => add(withName({ hashVersion: v })), 'hashVersion', v);
    rejects(() => add('f'), 'feature', 'f');
    rejects(() => add(null), 'feature', null);
  });
});

describe('parseFeature (records read back from a store)', () => {
  it('round-trips a stored record', () => {
    const f = { ...featureFromInput(withName({ users: [1], percentage: 5 }), NOW), version: 4 };
    expect(parseFeature(JSON.parse(JSON.stringify(f)))).toEqual(f);
  });

  it('rejects bad versions and timestamps', () => {
    const f = featureFromInput(withName({}), NOW);
    rejects(() => parseFeature({ ...f, version: -1 }), 'version', -1);
    rejects(() => parseFeature({ ...f, version: 1.5 }), 'version', 1.5);
    rejects(() => parseFeature({ ...f, createdAt: 'yesterday' }), 'createdAt', 'yesterday');
    rejects(() => parseFeature({ ...f, updatedAt: 5 }), 'updatedAt', 5);
    rejects(() => parseFeature([]), 'feature');
  });
});

describe('nothing is written when validation fails', () => {
  let store: TestStore;
  let rollout: Rollout;

  beforeEach(async () => {
    store = new TestStore();
    rollout = new Rollout({ store });
    await rollout.ready();
    await rollout.addFeature({ name: 'f', users: [1], percentage: 10 });
  });

  afterEach(async () => {
    await rollout.close();
  });

  it('addFeature', async () => {
    const bad: unknown[] = [
      { name: '' },
      { name: 'g', percentage: Number.NaN },
      { name: 'g', users: [1, Infinity] },
      { name: 'g', groups: ['a\u0000'] },
      { name: 'g', rules: [{ attribute: 'a', operator: 'regex', values: ['.*'] }] },
      { name: 'g', data: { d: new Date() } },
      { name: 'g', extra: 1 },
    ];
    for (const input of bad) {
      await expect(rollout.addFeature(input as FeatureInput)).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(store.writes).toBe(1);
    expect(await rollout.getFeature('g')).toBeUndefined();
  });

  it('mutations return a rejected promise (never a synchronous throw) and write nothing', async () => {
    const before = await rollout.getFeature('f');
    const calls: [string, () => Promise<unknown>][] = [
      ['activatePercentage NaN', () => rollout.activatePercentage('f', Number.NaN)],
      ['activatePercentage 101', () => rollout.activatePercentage('f', 101)],
      ['activatePercentage -1', () => rollout.activatePercentage('f', -1)],
      ['activateUser Infinity', () => rollout.activateUser('f', Infinity)],
      ['activateUser no id', () => rollout.activateUser('f', {})],
      ['deactivateUser empty', () => rollout.deactivateUser('f', '')],
      ['excludeUser control', () => rollout.excludeUser('f', 'a\u0001')],
      ['includeUser null', () => rollout.includeUser('f', null as unknown as string)],
      ['activateGroup empty', () => rollout.activateGroup('f', '')],
      ['deactivateGroup number', () => rollout.deactivateGroup('f', 5 as unknown as string)],
      ['activate bad name', () => rollout.activate(' f')],
      ['deactivate bad name', () => rollout.deactivate('')],
      ['updateFeature bad percentage', () => rollout.updateFeature('f', { percentage: 200 })],
      ['updateFeature name', () => rollout.updateFeature('f', { name: 'g' } as never)],
      ['updateFeature bad rules', () => rollout.updateFeature('f', { rules: [{}] as never })],
      ['removeFeature bad name', () => rollout.removeFeature('a\nb')],
      ['getFeature bad name', () => rollout.getFeature(42 as unknown as string)],
    ];
    for (const [label, call] of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }, label).not.toThrow();
      await expect(promise, label).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(store.writes).toBe(1);
    expect(await rollout.getFeature('f')).toEqual(before);
  });

  it('hostile but valid names and ids are stored as data and pollute nothing', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'a,b|c:"d"']) {
      await rollout.addFeature({
        name,
        users: ['__proto__', 'constructor'],
        groups: ['__proto__'],
      });
      expect(rollout.can({ id: '__proto__' }, name)).toBe(true);
      expect(rollout.can({ id: 'constructor' }, name)).toBe(true);
      expect(rollout.can({ id: 'x', groups: ['__proto__'] }, name)).toBe(true);
      expect(rollout.can({ id: 'x' }, name)).toBe(false);
      expect((await rollout.getFeature(name))?.name).toBe(name);
    }
    expect(rollout.can({ id: 1 }, 'hasOwnProperty')).toBe(false);
    expect(rollout.explain({ id: 1 }, 'valueOf').reason).toBe('FEATURE_NOT_FOUND');
    expect(rollout.snapshot().map((f) => f.name)).toEqual([
      '__proto__',
      'a,b|c:"d"',
      'constructor',
      'f',
      'toString',
    ]);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
