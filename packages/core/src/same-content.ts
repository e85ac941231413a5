import type { Feature } from './model.js';

/** Structural equality of the fields a mutation can change. */
export function sameContent(a: Feature, b: Feature): boolean {
  return (
    a.description === b.description &&
    a.percentage === b.percentage &&
    a.hashVersion === b.hashVersion &&
    // The id lists element by element, not as JSON: they may hold 100,000 ids, and an
    // edit of one id usually changes the length, which answers at once.
    sameStrings(a.users, b.users) &&
    sameStrings(a.excludedUsers, b.excludedUsers) &&
    sameStrings(a.groups, b.groups) &&
    JSON.stringify([a.rules, a.data]) === JSON.stringify([b.rules, b.data]) &&
    // In an object, so an absent offValue (key dropped) differs from `null`.
    JSON.stringify({ v: a.variants, o: a.offValue, u: a.userVariants }) ===
      JSON.stringify({ v: b.variants, o: b.offValue, u: b.userVariants })
  );
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
