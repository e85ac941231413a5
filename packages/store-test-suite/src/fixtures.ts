import { type Feature, type FeatureInput, featureFromInput } from '@rollout/core';

/** A complete feature record as a client would write it (version 0: not yet stored). */
export function makeFeature(input: FeatureInput): Feature {
  return featureFromInput(input, '2026-01-02T03:04:05.000Z');
}

/** A feature that uses every field, to check that nothing is lost on a round trip. */
export function richFeature(name: string): Feature {
  return makeFeature({
    name,
    description: 'Every field set: "quotes", commas, pipes | and ünïcødé 🚀',
    groups: ['ALL', 'beta testers', 'vip'],
    users: ['123', 'a,b', 'pipe|id', "o'neil", 'colon:id', '"quoted"', '🚀'],
    excludedUsers: ['666'],
    percentage: 12.345,
    rules: [
      { attribute: 'country', operator: 'in', values: ['NZ', 'AU'] },
      {
        conditions: [
          { attribute: 'plan', operator: 'eq', values: ['vip'] },
          { attribute: 'appVersion', operator: 'semverGte', values: ['2.1.0-rc.1'] },
        ],
      },
    ],
    data: {
      owner: 'team-a',
      nested: { list: [1, 2.5, true, null, 'x'], __proto__x: 'y' },
      empty: {},
    },
  });
}

/** Feature names that break naive stores: globs, separators, prototype keys, tags, long and unicode names. */
export const HOSTILE_NAMES: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'a:b',
  'feature:__features__',
  '*',
  '?',
  '[a]',
  'a*b?c[d]',
  '{tag}',
  'a{b}c',
  'a,b|c',
  '"double" and \'single\' quotes',
  'back\\slash/and/slash',
  '../../etc/passwd',
  'percent %s %d %%',
  "'; DROP TABLE features; --",
  'spaces in the name',
  'ünïcødé 🚀 名前',
  'x'.repeat(200),
];
