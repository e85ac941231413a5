import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GEM_RAND_BASE } from '../src/gem-hash.js';
import {
  compileFeature,
  crc32,
  evaluateFeature,
  featureFromInput,
  HASH_GEM,
  HASH_GEM_MODULO,
  HASH_GEM_RANDOMIZED,
  hashVersion,
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
  note?: string;
}

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

function evaluate(version: number, name: string, id: string | number, percentage: number): boolean {
  const cf = compileFeature(
    featureFromInput({ name, percentage, hashVersion: version }, new Date(0).toISOString()),
  );
  return isOnReason(evaluateFeature(cf, { id }, new Map(), undefined, undefined));
}

describe('gem-compatible bucketing (hash versions 2, 3, 4)', () => {
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
    }
    // The vectors exercise both answers of every version, and the threshold edges.
    for (const key of ['v2', 'v3', 'v4'] as const) {
      expect(fixture.vectors.some((v) => v[key])).toBe(true);
      expect(fixture.vectors.some((v) => !v[key])).toBe(true);
    }
    expect(fixture.vectors.filter((v) => v.note).length).toBeGreaterThanOrEqual(14);
  });

  it('HASH_GEM, HASH_GEM_RANDOMIZED and HASH_GEM_MODULO reproduce every golden vector', () => {
    for (const v of fixture.vectors) {
      const label = `${JSON.stringify(v.id)} ${v.feature} ${v.percentage}`;
      expect(crc32(v.id), label).toBe(v.crc32);
      expect(HASH_GEM.includes(HASH_GEM.prepare(v.feature), v.id, v.percentage), label).toBe(v.v2);
      expect(
        HASH_GEM_RANDOMIZED.includes(HASH_GEM_RANDOMIZED.prepare(v.feature), v.id, v.percentage),
        label,
      ).toBe(v.v3);
      expect(
        HASH_GEM_MODULO.includes(HASH_GEM_MODULO.prepare(v.feature), v.id, v.percentage),
        label,
      ).toBe(v.v4);
    }
  });

  it('evaluation of a feature with hashVersion 2/3/4 answers as the gem would', () => {
    for (const v of fixture.vectors) {
      const label = `${JSON.stringify(v.id)} ${v.feature} ${v.percentage}`;
      expect(evaluate(2, v.feature, v.id, v.percentage), label).toBe(v.v2);
      expect(evaluate(3, v.feature, v.id, v.percentage), label).toBe(v.v3);
      expect(evaluate(4, v.feature, v.id, v.percentage), label).toBe(v.v4);
      // A numeric id and its decimal string are the same user, as in the gem (to_s).
      if (typeof v.id === 'number')
        expect(evaluate(2, v.feature, String(v.id), v.percentage)).toBe(v.v2);
    }
  });

  it('versions 2 to 4 are registered and described', () => {
    for (const version of [2, 3, 4]) {
      const hash = hashVersion(version);
      expect(hash?.version).toBe(version);
      expect(hash?.description).toMatch(/gem/);
    }
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
    const hashes = [HASH_GEM, HASH_GEM_RANDOMIZED, HASH_GEM_MODULO];
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
