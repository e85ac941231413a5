/**
 * Variant bucketing: which of a feature's variants a user gets, among the users the
 * feature is on for (who gets the feature at all is decided by the evaluation order
 * and the percentage bucket in `bucket.ts`). Specified so another language can
 * reproduce it:
 *
 *   bytes    = UTF-8(featureName) ++ 0x00 ++ "variant" ++ 0x00 ++ UTF-8(userId as decimal string)
 *   h        = FNV-1a 32-bit over bytes (offset 0x811c9dc5, prime 0x01000193)
 *   h        = murmur3 fmix32(h)
 *   bucket   = floor(h * 100000 / 2^32)          (0 .. 99999)
 *   bound[i] = sum of round(weight[j] * 1000) for j <= i   (bound[last] = 100000)
 *   variant  = the first i with bucket < bound[i]
 *
 * It is the percentage hash of version 1 with a different salt: `"variant" 0x00`
 * after the name, which no user id can start the same way (ids and names hold no
 * control characters). So the variant bucket is independent of the percentage bucket:
 * being inside a 20 % rollout says nothing about which variant a user gets. The
 * formula does not depend on the feature's `hashVersion` (that one only decides the
 * percentage); a different variant formula would need a field of its own.
 *
 * Each variant owns a fixed range of the bucket space, in list order, so a weight
 * change moves only the users whose bucket falls between a range's old and new bounds:
 * 50/50 to 60/40 moves the 10 % in [50000, 60000), nobody else. Moving weight between
 * two neighbours in the list moves exactly the share that must move; moving it between
 * variants that are not neighbours also shifts the ranges between them (50/30/20 to
 * 40/30/30 moves 20 %, where 10 % would do). No assignment that depends only on the
 * current weights can move the minimum for every change of three or more variants, so
 * put variants whose weights you will trade next to each other.
 *
 * Users without an id get the first variant whose weight is not zero.
 * `test/fixtures/variant-vectors.json` pins the outputs.
 */

import { BUCKETS, bucketFromSalt, fnvString, saltState } from './bucket.js';
import type { Variant } from './model.js';

/** The hash state after the variant salt (`featureName 0x00 "variant" 0x00`). */
export function variantSalt(featureName: string): number {
  return fnvString(saltState(featureName), 'variant\u0000');
}

/** The variant bucket (0..99999) of `userId` for a feature, given its {@link variantSalt}. */
export function variantBucketFromSalt(salt: number, userId: string | number): number {
  return bucketFromSalt(salt, userId);
}

/** The variant bucket (0..99999) of a user for a feature. */
export function variantBucketOf(featureName: string, userId: string | number): number {
  return bucketFromSalt(variantSalt(featureName), userId);
}

/**
 * The upper bounds of each variant's range of buckets (cumulative weights in
 * thousandths); the last is always {@link BUCKETS}.
 */
export function variantBounds(variants: readonly Pick<Variant, 'weight'>[]): number[] {
  let sum = 0;
  const bounds = variants.map((v) => {
    sum += Math.round(v.weight * 1000);
    return sum;
  });
  if (bounds.length > 0) bounds[bounds.length - 1] = BUCKETS;
  return bounds;
}

/** The index of the variant whose range holds `bucket` (no allocation). */
export function variantIndexOf(bounds: readonly number[], bucket: number): number {
  const n = bounds.length;
  // A scan for the usual handful of variants; a binary search for long lists.
  if (n <= 8) {
    for (let i = 0; i < n - 1; i++) if (bucket < (bounds[i] as number)) return i;
    return n - 1;
  }
  let lo = 0;
  let hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bucket < (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The variant a user with this id gets, by bucket alone (no rule, no pin): the name,
 * or undefined when the feature has no variants. For tools and other languages' tests.
 */
export function bucketedVariant(
  featureName: string,
  variants: readonly Variant[],
  userId: string | number | undefined,
): string | undefined {
  if (variants.length === 0) return undefined;
  if (userId === undefined) return variants.find((v) => v.weight > 0)?.name;
  const index = variantIndexOf(variantBounds(variants), variantBucketOf(featureName, userId));
  return variants[index]?.name;
}
