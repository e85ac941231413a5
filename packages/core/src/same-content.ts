import type { Feature } from './model.js';

/** Structural equality of the fields a mutation can change. */
export function sameContent(a: Feature, b: Feature): boolean {
  return (
    a.description === b.description &&
    a.percentage === b.percentage &&
    a.hashVersion === b.hashVersion &&
    JSON.stringify([a.groups, a.users, a.excludedUsers, a.rules, a.data]) ===
      JSON.stringify([b.groups, b.users, b.excludedUsers, b.rules, b.data]) &&
    // In an object, so an absent offValue (key dropped) differs from `null`.
    JSON.stringify({ v: a.variants, o: a.offValue, u: a.userVariants }) ===
      JSON.stringify({ v: b.variants, o: b.offValue, u: b.userVariants })
  );
}
