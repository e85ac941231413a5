import type { Feature } from '../model.js';
import type { HistoryEntry } from '../store.js';

/*
 * Compact history for stores whose id lists live apart from the document (Redis sets,
 * PostgreSQL rows): an `apply` write's entry keeps the document without its id lists,
 * before and after, and the ids the write actually added and removed per list, so a
 * write to a feature listing 100,000 users records a few bytes, not 2 x 100,000 ids.
 * `history()` still answers whole records: the store reads the feature's current state
 * and its entries newer than the page in one consistent read, and
 * {@link reconstructHistory} walks them back, newest first.
 */

/** The id lists a delta covers (pins, `userVariants`, stay in the document). */
export const DELTA_LISTS = ['users', 'excludedUsers'] as const;

/** One of {@link DELTA_LISTS}. */
export type DeltaList = (typeof DELTA_LISTS)[number];

/** The ids one write added to and removed from one list: only ids that really were added (absent before) or removed (present before). */
export interface ListDelta {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * What a compact entry keeps of a write: the document after it and before it (undefined
 * when the write created the feature), both without their id lists (`users` and
 * `excludedUsers` empty, see {@link withoutLists}), and the change of each list that changed.
 */
export interface HistoryDelta {
  readonly after: Feature;
  readonly before: Feature | undefined;
  readonly lists: Partial<Record<DeltaList, ListDelta>>;
}

/** A history entry as a store may keep it: whole records, or a delta of an update. */
export type StoredHistoryEntry =
  | HistoryEntry
  | (Omit<HistoryEntry, 'feature' | 'previous'> & { readonly delta: HistoryDelta });

/** The document of `feature` without its id lists (a shallow copy, lists empty). */
export function withoutLists(feature: Feature): Feature {
  return { ...feature, users: [], excludedUsers: [] };
}

/** `document` with the given id lists put back (a shallow copy; the lists are copied and sorted). */
export function withLists(
  document: Feature,
  lists: { readonly users: Iterable<string>; readonly excludedUsers: Iterable<string> },
): Feature {
  return { ...document, users: sorted(lists.users), excludedUsers: sorted(lists.excludedUsers) };
}

/** The delta of one list between two states (O(n); for stores that compute it in JavaScript). */
export function listDelta(before: readonly string[], after: readonly string[]): ListDelta {
  const was = new Set(before);
  const is = new Set(after);
  return {
    added: after.filter((id) => !was.has(id)),
    removed: before.filter((id) => !is.has(id)),
  };
}

/** A list before a write, from the list after it and the write's delta. Sorted. */
export function undoListDelta(after: Iterable<string>, delta: ListDelta): string[] {
  const ids = new Set(after);
  undoInPlace(ids, delta);
  return sorted(ids);
}

/**
 * Whole entries out of stored ones. `stored` is newest first and, for every feature it
 * names, holds all of that feature's entries from its newest one down (no gap), read in
 * the same consistent step as `current`: each feature's state now (undefined when it is
 * removed; a feature `stored` names but `current` lacks counts as removed). Each entry's
 * records are rebuilt by walking back from the current state: a delta entry's `feature`
 * is its `after` document with the lists as they stood after the write, its `previous`
 * the `before` document with the delta undone. Only entries `wanted` accepts are
 * returned (all by default), newest first: the walk itself costs O(delta) per entry,
 * each returned record O(its lists). Throws an Error when a delta entry's walk meets no
 * state to start from (a removed feature without the remove's entry): a store bug.
 */
export function reconstructHistory(
  stored: readonly StoredHistoryEntry[],
  current: ReadonlyMap<string, Feature | undefined>,
  wanted: (entry: StoredHistoryEntry) => boolean = () => true,
): HistoryEntry[] {
  const walks = new Map<string, Walk>();
  const out: HistoryEntry[] = [];
  for (const entry of stored) {
    let walk = walks.get(entry.name);
    if (walk === undefined) {
      walk = startWalk(current.get(entry.name));
      walks.set(entry.name, walk);
    }
    const keep = wanted(entry);
    if (!('delta' in entry)) {
      if (keep) out.push(entry);
      walk.state = entry.previous && listsOf(entry.previous);
      continue;
    }
    const state = walk.state;
    if (state === undefined) {
      throw new Error(
        `history of ${JSON.stringify(entry.name)}: update entry at revision ${entry.revision} without a record after it`,
      );
    }
    const { delta, ...rest } = entry;
    const feature = keep ? withLists(delta.after, state) : undefined;
    for (const list of DELTA_LISTS) {
      const change = delta.lists[list];
      if (change) undoInPlace(state[list], change);
    }
    walk.state = delta.before && state;
    if (keep && feature) {
      out.push({ ...rest, feature, previous: delta.before && withLists(delta.before, state) });
    }
  }
  return out;
}

interface Walk {
  // The lists as they stood after the entry the walk is at; undefined: the feature did not exist.
  state: { users: Set<string>; excludedUsers: Set<string> } | undefined;
}

function startWalk(feature: Feature | undefined): Walk {
  return { state: feature && listsOf(feature) };
}

function listsOf(feature: Feature): { users: Set<string>; excludedUsers: Set<string> } {
  return { users: new Set(feature.users), excludedUsers: new Set(feature.excludedUsers) };
}

function undoInPlace(ids: Set<string>, delta: ListDelta): void {
  for (const id of delta.added) ids.delete(id);
  for (const id of delta.removed) ids.add(id);
}

// Lists are stored sorted in code unit order (as `Array.prototype.sort` sorts strings).
function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
