import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GEM_RAND_BASE } from '../src/gem-hash.js';
import {
  type BucketHash,
  compileFeature,
  crc32,
  evaluateFeature,
  featureFromInput,
  HASH_GEM,
  HASH_GEM_ID_MODULO,
  HASH_GEM_MODULO,
  HASH_GEM_MODULO_RANDOMIZED,
  HASH_GEM_RANDOMIZED,
  HASH_GEM_THOUSANDTHS,
  HASH_GEM_THOUSANDTHS_RANDOMIZED,
  hashVersion,
  hashVersions,
  isOnReason,
} from '../src/index.js';

interface Vector {
  id: string | number;
  feature: string;
  percentage: number;
  crc32: number;
  crc32Randomized: number;
  v2: boolean;
  v3: boolean;
  v4: boolean;
  v5: boolean;
  v6: boolean;
  v7: boolean;
  v8: boolean;
  note?: string;
}

const VERSIONS = ['v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8'] as const;
const HASHES: Record<(typeof VERSIONS)[number], BucketHash> = {
  v2: HASH_GEM,
  v3: HASH_GEM_RANDOMIZED,
  v4: HASH_GEM_MODULO,
  v5: HASH_GEM_MODULO_RANDOMIZED,
  v6: HASH_GEM_THOUSANDTHS,
  v7: HASH_GEM_THOUSANDTHS_RANDOMIZED,
  v8: HASH_GEM_ID_MODULO,
};

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/gem-vectors.json', import.meta.url), 'utf8'),
) as { randBase: number; vectors: Vector[] };

// An independent CRC-32: bit by bit, no table, over TextEncoder's UTF-8.
function bitwiseCrc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

// node:zlib.crc32 exists from Node 20.15; the bitwise one stands in before that.
const zlibCrc32: (text: string) => number =
  typeof zlib.crc32 === 'function' ? (text) => zlib.crc32(text) >>> 0 : bitwiseCrc32;

// The gem's formulas, written out again in the test (Ruby: RAND_BASE = (2**32 - 1) / 100.0).
const RUBY_RAND_BASE = 4294967295 / 100.0;
const gemV2 = (id: string, p: number) => zlibCrc32(id) < RUBY_RAND_BASE * p;
const gemV3 = (id: string, name: string, p: number) => zlibCrc32(id + name) < RUBY_RAND_BASE * p;
const gemV4 = (id: string, p: number) => zlibCrc32(id) % 100 < p;
const gemV5 = (id: string, name: string, p: number) => zlibCrc32(id + name) % 100 < p;
const gemV6 = (id: string, p: number) => zlibCrc32(id) % 100_000 < p * 1_000;
const gemV7 = (id: string, name: string, p: number) => zlibCrc32(id + name) % 100_000 < p * 1_000;
// Gem 1.x: user.id % 100 with Ruby's floored modulo, for Integer ids (or their decimal string).
function gemV8(id: string | number, p: number): boolean {
  if (typeof id === 'string' && !/^-?(0|[1-9]\d*)$/.test(id)) return false;
  const n = typeof id === 'string' ? BigInt(id) : id;
  const m = typeof n === 'bigint' ? Number(((n % 100n) + 100n) % 100n) : ((n % 100) + 100) % 100;
  return m < p;
}

function evaluate(version: number, name: string, id: string | number, percentage: number): boolean {
  const cf = compileFeature(
    featureFromInput({ name, percentage, hashVersion: version }, new Date(0).toISOString()),
  );
  return isOnReason(evaluateFeature(cf, { id }, new Map(), undefined, undefined));
}

describe('gem-compatible bucketing (hash versions 2 to 8)', () => {
  it('computes zlib CRC-32 (check value of "123456789" is 0xCBF43926)', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(bitwiseCrc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32(123456789)).toBe(0xcbf43926);
  });

  it('RAND_BASE is the double Ruby computes', () => {
    expect(GEM_RAND_BASE).toBe(fixture.randBase);
    expect(GEM_RAND_BASE).toBe(42949672.95);
    // The double product at 100 % lies above 2^32 - 1: Ruby puts CRC 0xFFFFFFFF inside.
    expect(GEM_RAND_BASE * 100).toBeGreaterThan(4294967295);
  });

  it('the golden vectors agree with an independent implementation of the formula', () => {
    expect(fixture.vectors.length).toBeGreaterThan(250);
    for (const v of fixture.vectors) {
      const id = String(v.id);
      expect(zlibCrc32(id), id).toBe(v.crc32);
      expect(bitwiseCrc32(id), id).toBe(v.crc32);
      expect(zlibCrc32(id + v.feature), id).toBe(v.crc32Randomized);
      expect(gemV2(id, v.percentage), id).toBe(v.v2);
      expect(gemV3(id, v.feature, v.percentage), id).toBe(v.v3);
      expect(gemV4(id, v.percentage), id).toBe(v.v4);
      expect(gemV5(id, v.feature, v.percentage), id).toBe(v.v5);
      expect(gemV6(id, v.percentage), id).toBe(v.v6);
      expect(gemV7(id, v.feature, v.percentage), id).toBe(v.v7);
      expect(gemV8(v.id, v.percentage), id).toBe(v.v8);
    }
    // The vectors exercise both answers of every version, and the threshold edges.
    for (const key of VERSIONS) {
      expect(fixture.vectors.some((v) => v[key])).toBe(true);
      expect(fixture.vectors.some((v) => !v[key])).toBe(true);
    }
    expect(fixture.vectors.filter((v) => v.note).length).toBeGreaterThanOrEqual(40);
    // 33.3 % and the 33 % the old gems read it as (to_i) differ for a CRC ending in 33.
    const edge = fixture.vectors.filter((v) => v.crc32 % 100 === 33 && v.note);
    expect(edge.map((v) => [v.percentage, v.v4])).toEqual([
      [33, false],
      [33.3, true],
    ]);
  });

  it('every gem hash reproduces every golden vector', () => {
    for (const v of fixture.vectors) {
      const label = `${JSON.stringify(v.id)} ${v.feature} ${v.percentage}`;
      expect(crc32(v.id), label).toBe(v.crc32);
      for (const key of VERSIONS) {
        const hash = HASHES[key];
        expect(hash.includes(hash.prepare(v.feature), v.id, v.percentage), `${key} ${label}`).toBe(
          v[key],
        );
      }
    }
  });

  it('evaluation of a feature with hashVersion 2 to 8 answers as the gem would', () => {
    for (const v of fixture.vectors) {
      const label = `${JSON.stringify(v.id)} ${v.feature} ${v.percentage}`;
      for (const key of VERSIONS) {
        const version = HASHES[key].version;
        // At 100 % evaluation lets every user with an id in without asking the hash: the
        // same answer for every version, except version 8's non-integer ids (the gem 1.x raised).
        const expected = v[key] || v.percentage >= 100;
        expect(evaluate(version, v.feature, v.id, v.percentage), `${key} ${label}`).toBe(expected);
        // A numeric id and its decimal string are the same user, as in the gem (to_s).
        if (typeof v.id === 'number' && Number.isInteger(v.id))
          expect(evaluate(version, v.feature, String(v.id), v.percentage)).toBe(expected);
      }
    }
  });

  it('versions 2 to 8 are registered once each and described with their gem releases', () => {
    expect(hashVersions().map((h) => h.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const key of VERSIONS) {
      const hash = hashVersion(HASHES[key].version);
      expect(hash).toBe(HASHES[key]);
      expect(hash?.description).toMatch(/^rollout gem \S+/);
    }
  });

  it("version 8 is Ruby's floored user.id % 100, for integer ids only", () => {
    const at = (id: string | number) => HASH_GEM_ID_MODULO.position(0, id);
    expect([at(7), at(107), at('107'), at(-7), at('-7'), at(-100), at('-100')]).toEqual([
      7, 7, 7, 93, 93, 0, 0,
    ]);
    // Ids of any length: the decimal digits are reduced one by one.
    expect(at('123456789012345678901234567890')).toBe(90);
    for (const id of ['abc', '12abc', '007', '+7', '', '-', '7.0', ' 7'])
      expect(at(id), JSON.stringify(id)).toBe(-1);
    for (const id of ['abc', '007'])
      expect(HASH_GEM_ID_MODULO.includes(0, id, 100), JSON.stringify(id)).toBe(false);
    expect(HASH_GEM_ID_MODULO.includes(0, 99, 100)).toBe(true);
  });

  it('CRC-32 of any string (all of Unicode) equals zlib', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        (id, name) => {
          expect(crc32(id)).toBe(zlibCrc32(id));
          const state = HASH_GEM_RANDOMIZED.prepare(name);
          const expected = zlibCrc32(id + name);
          expect(HASH_GEM_RANDOMIZED.position(state, id)).toBe((expected * 100) / 4294967296);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('numeric ids hash as their decimal digits', () => {
    fc.assert(
      fc.property(
        fc.maxSafeInteger().chain((n) => fc.constantFrom(n, -n)),
        (n) => {
          expect(crc32(n)).toBe(zlibCrc32(String(n)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is monotonic: raising the percentage only adds users', () => {
    const hashes = Object.values(HASHES);
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer()),
        fc.string({ minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (id, name, a, b) => {
          const [low, high] = a <= b ? [a / 1000, b / 1000] : [b / 1000, a / 1000];
          for (const hash of hashes) {
            const state = hash.prepare(name);
            if (hash.includes(state, id, low)) expect(hash.includes(state, id, high)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('version 3 salts by the feature name; version 2 does not', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => i);
    const inV2 = (name: string) =>
      ids.filter((id) => HASH_GEM.includes(HASH_GEM.prepare(name), id, 30));
    const inV3 = (name: string) =>
      ids.filter((id) => HASH_GEM_RANDOMIZED.includes(HASH_GEM_RANDOMIZED.prepare(name), id, 30));
    expect(inV2('one')).toEqual(inV2('two'));
    expect(inV3('one')).not.toEqual(inV3('two'));
    // Roughly 30 % either way (CRC-32 of consecutive integers is well spread).
    expect(inV3('one').length).toBeGreaterThan(450);
    expect(inV3('one').length).toBeLessThan(750);
  });
});
