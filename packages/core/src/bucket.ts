/**
 * Percentage bucketing.
 *
 * Hash version 1 (the default), specified so another language can reproduce it:
 *
 *   bytes  = UTF-8(featureName) ++ 0x00 ++ UTF-8(userId as decimal string)
 *   h      = FNV-1a 32-bit over bytes (offset 0x811c9dc5, prime 0x01000193)
 *   h      = murmur3 fmix32(h)                 (spreads FNV's weak low bits)
 *   bucket = floor(h * 100000 / 2^32)          (0 .. 99999, thousandths of a percent)
 *
 * A user is in a percentage `p` when `bucket < round(p * 1000)`. Because the
 * bucket depends only on (feature, id), raising `p` only adds users; because the
 * feature name salts the hash, 20 % of one feature is not the same 20 % of
 * another. `test/fixtures/bucket-vectors.json` pins the outputs.
 *
 * Hash version 1 is declared here as {@link HASH_V1}; `hash-versions.ts` registers it.
 *
 * Everything here is allocation-free for string ids and safe-integer ids: the hot
 * path of `can` calls it for every percentage check.
 */

import type { BucketHash } from './bucket-hash.js';
import { encodeUtf8, scratchBytes } from './utf8.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Number of buckets: 100 % in steps of 0.001 %. */
export const BUCKETS = 100_000;

/** The hash version new features get. */
export const DEFAULT_HASH_VERSION = 1;

/** Feeds one byte into an FNV-1a state. */
function fnvByte(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV_PRIME);
}

/** Feeds the UTF-8 encoding of `text` into an FNV-1a state without allocating. */
export function fnvString(h: number, text: string): number {
  const n = text.length;
  // ASCII (most ids) is one byte per code unit: a loop small enough for the JIT to
  // inline into the percentage check; the first other code unit hands over to fnvUtf8.
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return fnvUtf8(h, text, i);
    // The prime as a literal: a module constant is a context load in optimized code.
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h;
}

/** {@link fnvString} from code unit `from` on, for text that is not all ASCII. */
function fnvUtf8(h: number, text: string, from: number): number {
  const n = encodeUtf8(text, from);
  const bytes = scratchBytes();
  for (let i = 0; i < n; i++) h = fnvByte(h, bytes[i] as number);
  return h;
}

/** Feeds the decimal digits of a safe integer into an FNV-1a state without allocating. */
function fnvInteger(h: number, value: number): number {
  if (value < 0) {
    h = fnvByte(h, 0x2d); // '-'
    value = -value;
  }
  let scale = 1;
  while (scale * 10 <= value) scale *= 10;
  while (scale >= 1) {
    const digit = Math.floor(value / scale);
    h = fnvByte(h, 0x30 + digit);
    value -= digit * scale;
    scale /= 10;
  }
  return h;
}

/** murmur3's 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The hash state after the salt (`featureName` and the 0x00 separator). Compiled
 * features keep it so each evaluation only hashes the id.
 */
export function saltState(featureName: string): number {
  return fnvByte(fnvString(FNV_OFFSET, featureName), 0);
}

/** Bucket (0..99999) of `userId` given a precomputed {@link saltState}. */
export function bucketFromSalt(salt: number, userId: string | number): number {
  // String ids inline, numbers out of line: a small function is inlined into `can`.
  const h = typeof userId === 'string' ? fnvString(salt, userId) : fnvNumber(salt, userId);
  // h < 2^32, so h * 100000 < 2^49 is exact in a double, and / 2^32 is exact too.
  // 100000 is BUCKETS, written out for the same reason as the prime in fnvString.
  return Math.floor((fmix32(h) * 100000) / 4294967296);
}

/** Feeds a number id (as its decimal string) into an FNV-1a state; no allocation for safe integers. */
function fnvNumber(salt: number, userId: number): number {
  return Number.isSafeInteger(userId) ? fnvInteger(salt, userId) : fnvString(salt, String(userId));
}

/**
 * The deterministic bucket of a user for a feature, 0 to 99,999 (thousandths of a
 * percent), under hash version 1. The user is in percentage `p` when
 * `bucketOf(feature, id) < Math.round(p * 1000)`.
 */
export function bucketOf(featureName: string, userId: string | number): number {
  return bucketFromSalt(saltState(featureName), userId);
}

/** Percentage (0..100, step 0.001) as a bucket threshold. */
export function percentageThreshold(percentage: number): number {
  return Math.round(percentage * 1000);
}

/** Hash version 1: FNV-1a + fmix32, salted by the feature name, 0.001 % buckets (see `bucketOf`). */
export const HASH_V1: BucketHash = {
  version: 1,
  description: 'rollout v1: FNV-1a/fmix32 of "<feature>\\0<id>", 100000 buckets',
  prepare: saltState,
  position: (state, id) => bucketFromSalt(state, id) / 1000,
  includes: (state, id, percentage) => bucketFromSalt(state, id) < percentageThreshold(percentage),
};
