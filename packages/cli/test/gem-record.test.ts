import { describe, expect, it } from 'vitest';
import {
  convertGemRecord,
  type GemBucketing,
  legacyGemRecord,
  parseGemRecord,
  rubyToF,
  rubyToI,
} from '../src/gem-record.js';

const LATEST: GemBucketing = { hashVersion: 2, truncates: false, releases: '2.4.2 and later' };
const RANDOMIZED: GemBucketing = { ...LATEST, hashVersion: 3 };
const GEM_2_2: GemBucketing = { hashVersion: 4, truncates: true, releases: '2.2.0 – 2.2.4' };

describe('reading the gem records', () => {
  it("rubyToF behaves like Ruby's String#to_f", () => {
    const cases: [string, number][] = [
      ['20', 20],
      ['20.0', 20],
      ['12.5abc', 12.5],
      ['', 0],
      ['abc', 0],
      ['  7', 7],
      ['1_000', 1000],
      ['-3', -3],
      ['.5', 0.5],
      ['1e1', 10],
    ];
    for (const [text, value] of cases) expect(rubyToF(text), text).toBe(value);
  });

  it("rubyToI behaves like Ruby's String#to_i", () => {
    const cases: [string, number][] = [
      ['33.3', 33],
      ['99.9', 99],
      ['0.5', 0],
      ['100', 100],
      ['', 0],
      ['abc', 0],
      ['  7', 7],
      ['1_000', 1000],
      ['-3.9', -3],
      ['1e5', 1],
    ];
    for (const [text, value] of cases) expect(rubyToI(text), text).toBe(value);
  });

  it('splits like split("|", 4): pipes inside the JSON data stay in the data', () => {
    const r = parseGemRecord('f', '10.0|1,2|vip,all|{"a":"x|y","b":[1,2]}');
    expect(r).toMatchObject({
      percentage: 10,
      users: ['1', '2'],
      groups: ['vip', 'all'],
      data: { a: 'x|y', b: [1, 2] },
      fields: 4,
    });
  });

  it('reads the shorter records of older gems, and a missing key as off', () => {
    expect(parseGemRecord('f', '25|7,8|beta')).toMatchObject({
      percentage: 25,
      users: ['7', '8'],
      groups: ['beta'],
      data: {},
      fields: 3,
    });
    expect(parseGemRecord('f', '30|5')).toMatchObject({
      percentage: 30,
      users: ['5'],
      groups: [],
      fields: 2,
    });
    expect(parseGemRecord('f', '40')).toMatchObject({ percentage: 40, users: [], fields: 1 });
    expect(parseGemRecord('f', '0|||')).toMatchObject({
      percentage: 0,
      users: [],
      groups: [],
      data: {},
    });
    expect(parseGemRecord('f', null)).toMatchObject({
      percentage: 0,
      users: [],
      groups: [],
      fields: 0,
    });
    // Empty entries (",," or a trailing comma) are not users.
    expect(parseGemRecord('f', '0|1,,2,|').users).toEqual(['1', '2']);
  });

  it('refuses data that is not a JSON object', () => {
    expect(() => parseGemRecord('f', '1|||{oops')).toThrow(/not valid JSON/);
    expect(() => parseGemRecord('f', '1|||[1]')).toThrow(/not a JSON object/);
  });

  it('converts to a rollout feature: all → ALL, the chosen hash version, clamped percentages', () => {
    const { feature, warnings } = convertGemRecord(
      parseGemRecord('f', '150|1|all,vip|{"k":1}'),
      RANDOMIZED,
    );
    expect(feature).toMatchObject({
      name: 'f',
      percentage: 100,
      users: ['1'],
      groups: ['ALL', 'vip'],
      data: { k: 1 },
      hashVersion: 3,
    });
    expect(warnings.join()).toMatch(/above 100/);
    const rounded = convertGemRecord(parseGemRecord('g', '12.34567'), LATEST);
    expect(rounded.feature.percentage).toBe(12.346);
    expect(rounded.warnings.join()).toMatch(/rounded to 12.346/);
    expect(() => convertGemRecord(parseGemRecord(' bad ', '1'), LATEST)).toThrow(/white space/);
  });

  it('truncates the percentage where the gem read it with to_i (releases up to 2.2.4)', () => {
    const truncated = convertGemRecord(parseGemRecord('f', '33.3|||'), GEM_2_2);
    expect(truncated.feature).toMatchObject({ percentage: 33, hashVersion: 4 });
    expect(truncated.warnings).toEqual([
      'percentage "33.3" is read by gem 2.2.0 – 2.2.4 with to_i: imported as 33, the percentage the gem applied',
    ]);
    expect(convertGemRecord(parseGemRecord('f', '20|||'), GEM_2_2).warnings).toEqual([]);
    expect(convertGemRecord(parseGemRecord('f', '33.3|||'), LATEST).feature.percentage).toBe(33.3);
  });

  it('reads the 1.x keys: the percentage string, the sets, feature:__global__ as all', () => {
    const record = legacyGemRecord('chat', {
      percentage: '20',
      users: ['1', '2'],
      groups: ['vip'],
      global: true,
    });
    expect(record).toMatchObject({
      percentageText: '20',
      users: ['1', '2'],
      groups: ['vip', 'all'],
    });
    const none = legacyGemRecord('x', { percentage: null, users: [], groups: [], global: false });
    expect(convertGemRecord(none, { ...GEM_2_2, hashVersion: 8 }).feature).toMatchObject({
      percentage: 0,
      groups: [],
      hashVersion: 8,
    });
  });
});
