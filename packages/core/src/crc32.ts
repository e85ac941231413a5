/**
 * zlib's CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial and final
 * XOR 0xFFFFFFFF) over the UTF-8 bytes of a user id, and of a user id followed by a
 * feature name: what Ruby's `Zlib.crc32(user_id.to_s)` and
 * `Zlib.crc32(user_id.to_s + name)` return. Numeric ids hash as their decimal
 * digits, as Ruby's `Integer#to_s` writes them. The rollout gem's percentage
 * formulas (`gem-hash.ts`) are built on it.
 *
 * Allocation-free for string ids and safe-integer ids: it runs on the hot path of `can`.
 */

import { encodeDecimal, encodeUtf8, scratchBytes } from './utf8.js';

/** zlib's CRC-32 lookup table (reflected polynomial 0xEDB88320). */
const CRC_TABLE: Int32Array = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Initial CRC register (before any byte). */
const CRC_INIT = 0xffffffff;

/** Feeds one byte into a CRC-32 register. */
function crcByte(c: number, byte: number): number {
  return (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
}

/** Feeds the first `n` bytes of the shared scratch buffer into a CRC-32 register. */
function crcScratch(c: number, n: number): number {
  const bytes = scratchBytes();
  for (let i = 0; i < n; i++) c = crcByte(c, bytes[i] as number);
  return c;
}

/** Feeds the UTF-8 encoding of `text` into a CRC-32 register without allocating. */
function crcString(c: number, text: string): number {
  return crcScratch(c, encodeUtf8(text));
}

/** Feeds the decimal digits of a safe integer into a CRC-32 register without allocating. */
function crcInteger(c: number, value: number): number {
  return crcScratch(c, encodeDecimal(value));
}

/** Feeds a user id as the gem's `user_id.to_s` writes it. */
function crcId(c: number, userId: string | number): number {
  if (typeof userId === 'number') {
    // Non-integers fall back to JS's String(), which is how rollout stores such ids.
    return Number.isSafeInteger(userId) ? crcInteger(c, userId) : crcString(c, String(userId));
  }
  return crcString(c, userId);
}

/** Final XOR, as an unsigned 32-bit integer. */
function crcFinish(c: number): number {
  return (c ^ CRC_INIT) >>> 0;
}

/**
 * zlib's CRC-32 of the UTF-8 bytes of `text` (or of a number's decimal form), as an
 * unsigned 32-bit integer: the value Ruby's `Zlib.crc32(text)` returns.
 */
export function crc32(text: string | number): number {
  return crcFinish(crcId(CRC_INIT, text));
}

// The gem's randomize_percentage appends the feature name after the id, so no prefix state can be
// precomputed as a number. `prepare` interns the name's UTF-8 bytes instead and
// returns their index; evaluation then continues the CRC over them without
// allocating. The table grows by one entry per distinct feature name a process
// compiles (names are at most 200 characters), never per evaluation.
const saltIndex = new Map<string, number>();
const saltBytes: Uint8Array[] = [];
const encoder = new TextEncoder();

/** Interns `featureName`'s UTF-8 bytes; the index is the state {@link crcWithSalt} continues from. */
export function internSalt(featureName: string): number {
  let index = saltIndex.get(featureName);
  if (index === undefined) {
    index = saltBytes.length;
    saltBytes.push(encoder.encode(featureName));
    saltIndex.set(featureName, index);
  }
  return index;
}

/** CRC-32 of `userId.to_s + featureName`, the feature interned by {@link internSalt}. */
export function crcWithSalt(state: number, userId: string | number): number {
  let c = crcId(CRC_INIT, userId);
  const bytes = saltBytes[state] as Uint8Array;
  for (let i = 0; i < bytes.length; i++) c = crcByte(c, bytes[i] as number);
  return crcFinish(c);
}
