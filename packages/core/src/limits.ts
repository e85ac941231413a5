/**
 * Documented size limits. Input beyond them is rejected with a ValidationError
 * before it reaches a store, so no backend ever sees an unbounded value.
 */
export const LIMITS = {
  /** Longest feature name, in UTF-16 code units. */
  nameLength: 200,
  /** Longest group name. */
  groupLength: 200,
  /** Longest user id (as a string). */
  userIdLength: 256,
  /** Most user ids on one feature's `users` list (and likewise `excludedUsers`). */
  users: 200_000,
  /** Most groups on one feature. */
  groups: 1_000,
  /** Most rules on one feature. */
  rules: 100,
  /** Most conditions in one rule. */
  conditions: 20,
  /** Most values in one condition. */
  conditionValues: 1_000,
  /** Longest attribute name in a condition. */
  attributeLength: 200,
  /** Longest string value in a condition. */
  conditionValueLength: 1_000,
  /** Longest description. */
  descriptionLength: 2_000,
  /** Largest `data`, as JSON text. */
  dataBytes: 64 * 1024,
  /** Deepest nesting of `data` (and of a variant's value or an `offValue`). */
  dataDepth: 20,
  /** Longest actor of a write (who made it), as recorded in history. */
  actorLength: 200,
  /** Longest note of a write (why), as recorded in history. */
  noteLength: 1_000,
  /** Most history entries one `history()` call returns. */
  historyPage: 1_000,
  /** Most variants on one feature. */
  variants: 100,
  /** Largest value of one variant (or an `offValue`), as JSON text. */
  variantValueBytes: 64 * 1024,
  /** Largest sum of a feature's variant values and `offValue`, as JSON text. */
  variantsBytes: 256 * 1024,
} as const;
