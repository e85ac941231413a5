import type { CompiledFeature, IdSet } from '../evaluate.js';
import type { Feature } from '../model.js';
import type { FeatureOperation } from '../operations.js';

/** The ids a write's operations name, per list: what {@link compileListEdit} looks at. */
export interface TouchedIds {
  readonly users: readonly string[];
  readonly excludedUsers: readonly string[];
}

/**
 * The ids `operations` name when every one of them only adds or removes ids
 * (`addUsers` without a variant, `removeUsers`, `exclude`, `include`); undefined
 * otherwise (the write may change anything: compile it whole).
 */
export function touchedIds(operations: readonly FeatureOperation[]): TouchedIds | undefined {
  const users: string[] = [];
  const excludedUsers: string[] = [];
  for (const operation of operations) {
    if (operation.op === 'addUsers' && operation.variant === undefined)
      users.push(...operation.users);
    else if (operation.op === 'removeUsers') users.push(...operation.users);
    else if (operation.op === 'exclude' || operation.op === 'include')
      excludedUsers.push(...operation.users);
    else return undefined;
  }
  return { users, excludedUsers };
}

// What may differ between two consecutive versions of a list edit besides the lists.
const LIST_EDIT_FIELDS: ReadonlySet<string> = new Set([
  'users',
  'excludedUsers',
  'version',
  'updatedAt',
]);

/**
 * The compiled form of `next` made from `previous` in O(touched ids) instead of
 * O(listed ids): rebuilding the id Sets of a feature listing 100,000 users costs
 * milliseconds per write, an edit of one id must not. Applies only when `next` is the
 * version right after `previous.feature` (same life), differs from it in nothing but
 * the id lists (version and updatedAt aside), and neither list became or stopped
 * being empty, so every other compiled structure (the evaluator kind, `needsId`, the
 * rules, the variants) stays what it was. Then the Sets of `previous` are updated in
 * place (the caller drops `previous`: nothing else holds a compiled entry beyond a
 * synchronous evaluation) and shared by the result. Otherwise undefined: compile whole.
 */
export function compileListEdit(
  previous: CompiledFeature,
  next: Feature,
  touched: TouchedIds,
): CompiledFeature | undefined {
  const before = previous.feature;
  if (next.version !== before.version + 1 || next.createdAt !== before.createdAt) return undefined;
  if (!onlyListsDiffer(before, next)) return undefined;
  for (const list of ['users', 'excludedUsers'] as const) {
    if ((before[list].length === 0) !== (next[list].length === 0)) return undefined;
  }
  editIdSet(previous.users, next.users, touched.users);
  editIdSet(previous.excluded, next.excludedUsers, touched.excludedUsers);
  return { ...previous, feature: next };
}

function onlyListsDiffer(a: Feature, b: Feature): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const key of keys) {
    if (LIST_EDIT_FIELDS.has(key)) continue;
    const u = x[key];
    const v = y[key];
    // Unchanged fields of a derived record are the very same values; a record read
    // from a store is a fresh copy, compared by content (small: lists are skipped).
    if (u !== v && JSON.stringify(u) !== JSON.stringify(v)) return false;
  }
  return true;
}

// Brings `set` to the membership of `list` (sorted) for the touched ids only.
function editIdSet(set: IdSet, list: readonly string[], ids: readonly string[]): void {
  const strings = set.strings as Set<string>;
  const numbers = set.numbers as Set<number>;
  for (const id of ids) {
    const n = Number(id);
    const numeric = Number.isSafeInteger(n) && String(n) === id;
    if (sortedHas(list, id)) {
      strings.add(id);
      if (numeric) numbers.add(n);
    } else {
      strings.delete(id);
      if (numeric) numbers.delete(n);
    }
  }
}

// Binary search in a list sorted in code unit order (as stored lists are).
function sortedHas(list: readonly string[], id: string): boolean {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const v = list[mid] as string;
    if (v === id) return true;
    if (v < id) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}
