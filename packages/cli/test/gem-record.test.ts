import { describe, expect, it } from 'vitest';
import { convertGemRecord, parseGemRecord, rubyToF } from '../src/gem-record.js';

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
    const { feature, warnings } = convertGemRecord(parseGemRecord('f', '150|1|all,vip|{"k":1}'), 3);
    expect(feature).toMatchObject({
      name: 'f',
      percentage: 100,
      users: ['1'],
      groups: ['ALL', 'vip'],
      data: { k: 1 },
      hashVersion: 3,
    });
    expect(warnings.join()).toMatch(/above 100/);
    const rounded = convertGemRecord(parseGemRecord('g', '12.34567'), 2);
    expect(rounded.feature.percentage).toBe(12.346);
    expect(rounded.warnings.join()).toMatch(/rounded to 12.346/);
    expect(() => convertGemRecord(parseGemRecord(' bad ', '1'), 2)).toThrow(/white space/);
  });
});
