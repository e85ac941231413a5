/**
 * UTF-8 and decimal encoding into one scratch buffer, shared by the hash functions
 * (`bucket.ts`, `crc32.ts`) so neither allocates per evaluation nor keeps its own copy
 * of the encoder. The buffer is overwritten by the next call: read it at once.
 */

// Stored ids are at most 256 characters (LIMITS.userIdLength), so 4 bytes each fit;
// a longer id handed to evaluation grows the buffer once.
let scratch = new Uint8Array(1024);

/** The scratch buffer the last {@link encodeUtf8} or {@link encodeDecimal} call wrote. */
export function scratchBytes(): Uint8Array {
  return scratch;
}

function room(bytes: number): Uint8Array {
  if (scratch.length < bytes) scratch = new Uint8Array(bytes);
  return scratch;
}

/**
 * Writes the UTF-8 encoding of `text` from code unit `from` on into the scratch
 * buffer and returns the byte count. A lone surrogate encodes as U+FFFD, as
 * TextEncoder does.
 */
export function encodeUtf8(text: string, from = 0): number {
  const n = text.length;
  const out = room((n - from) * 3);
  let w = 0;
  for (let i = from; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[w++] = c;
    } else if (c < 0x800) {
      out[w++] = 0xc0 | (c >> 6);
      out[w++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
          out[w++] = 0xf0 | (c >> 18);
          out[w++] = 0x80 | ((c >> 12) & 0x3f);
          out[w++] = 0x80 | ((c >> 6) & 0x3f);
          out[w++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[w++] = 0xe0 | (c >> 12);
      out[w++] = 0x80 | ((c >> 6) & 0x3f);
      out[w++] = 0x80 | (c & 0x3f);
    }
  }
  return w;
}

/** Writes the decimal digits of a safe integer (with `-` when negative) into the scratch buffer; returns the byte count. */
export function encodeDecimal(value: number): number {
  const out = room(17);
  let w = 0;
  if (value < 0) {
    out[w++] = 0x2d; // '-'
    value = -value;
  }
  let scale = 1;
  while (scale * 10 <= value) scale *= 10;
  while (scale >= 1) {
    const digit = Math.floor(value / scale);
    out[w++] = 0x30 + digit;
    value -= digit * scale;
    scale /= 10;
  }
  return w;
}
