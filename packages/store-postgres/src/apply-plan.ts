import {
  type ApplyOptions,
  applyOperations,
  type Feature,
  type FeatureOperation,
  LIMITS,
  sameContent,
  ValidationError,
} from '@rollout/core';

/** The feature fields kept as rows of the ids table rather than in the document. */
export const ID_LISTS = ['users', 'excludedUsers'] as const;

/** One of {@link ID_LISTS}. */
export type IdList = (typeof ID_LISTS)[number];

/** What the operations do to one id list, relative to the rows stored. */
export interface ListChange {
  /** True when a `set` replaced the list: rows not in `add` go, whatever they are. */
  readonly replaced: boolean;
  /** Ids that must be on the list afterwards (all of it when `replaced`). */
  readonly add: ReadonlySet<string>;
  /** Ids that must not be on the list afterwards (empty when `replaced`). */
  readonly remove: ReadonlySet<string>;
}

/** How an `apply` to an existing feature writes: its document, and what each list gains and loses. */
export interface ApplyPlan {
  /** The document after the operations, lists empty, `updatedAt` the write's time. */
  readonly document: Feature;
  /** False when only the lists can have changed (then only the rows tell whether anything did). */
  readonly documentChanged: boolean;
  readonly lists: Readonly<Record<IdList, ListChange>>;
}

/**
 * Plans `operations` on a stored feature whose lists are rows: `current` is its
 * document with `users` and `excludedUsers` empty. The document part is core's
 * reference `applyOperations` on that document (variant pins, which stay in the
 * document, included; so are its errors, FeatureNotFoundError aside); the list part
 * folds the operations, in order, into ids to add and remove. Nothing here is
 * O(listed ids): only O(ids the operations name).
 */
export function planApply(
  name: string,
  current: Feature,
  operations: readonly FeatureOperation[],
  options: ApplyOptions,
): ApplyPlan {
  const now = options.now ?? new Date().toISOString();
  // On the bare document the lists start empty, so whatever lands in them is a subset
  // of the real result: core's list limits can only fail when the real ones fail too.
  const applied = applyOperations(name, current, operations, { ...options, now });
  const document: Feature = { ...applied.feature, users: [], excludedUsers: [], updatedAt: now };
  const lists = { users: new ListFold(), excludedUsers: new ListFold() };
  for (const operation of operations) {
    switch (operation.op) {
      case 'addUsers':
        lists.users.addIds(operation.users);
        break;
      case 'removeUsers':
        lists.users.removeIds(operation.users);
        break;
      case 'exclude':
        lists.excludedUsers.addIds(operation.users);
        break;
      case 'include':
        lists.excludedUsers.removeIds(operation.users);
        break;
      case 'set':
        if (operation.field === 'users' || operation.field === 'excludedUsers')
          lists[operation.field].replace(operation.value);
        break;
      default:
        break;
    }
  }
  return { document, documentChanged: !sameContent(current, document), lists };
}

/** What list-only operations do: ids and groups to add and remove (each pair disjoint). */
export interface ListPlan {
  readonly users: ListChange;
  readonly excludedUsers: ListChange;
  readonly groups: ListChange;
}

/**
 * Folds operations that only add and remove list entries (users without a variant pin,
 * the deny list, groups) into what each list gains and loses, for the one-statement
 * path; undefined when any operation does more (a `set`, a percentage, a pin...).
 */
export function planLists(operations: readonly FeatureOperation[]): ListPlan | undefined {
  const plan = { users: new ListFold(), excludedUsers: new ListFold(), groups: new ListFold() };
  for (const operation of operations) {
    switch (operation.op) {
      case 'addUsers':
        if (operation.variant !== undefined) return undefined;
        plan.users.addIds(operation.users);
        break;
      case 'removeUsers':
        plan.users.removeIds(operation.users);
        break;
      case 'exclude':
        plan.excludedUsers.addIds(operation.users);
        break;
      case 'include':
        plan.excludedUsers.removeIds(operation.users);
        break;
      case 'addGroups':
        plan.groups.addIds(operation.groups);
        break;
      case 'removeGroups':
        plan.groups.removeIds(operation.groups);
        break;
      default:
        return undefined;
    }
  }
  return plan;
}

/** Ids of the lists, as the present-ids query takes them. */
export type ListedIds = { readonly list: IdList; readonly id: string }[];

/**
 * Checks the list limits of a plan against the stored lengths (ValidationError with
 * core's message). The length after is only known exactly with how many of the named
 * ids are already listed, which `present` counts (per list); it is asked only when the
 * plan could pass a limit, so the common write costs nothing more.
 */
export async function checkListLimits(
  plan: ApplyPlan,
  stored: Readonly<Record<IdList, number>>,
  present: (ids: ListedIds) => Promise<Record<IdList, number>>,
): Promise<void> {
  const over = ID_LISTS.filter((list) => {
    const change = plan.lists[list];
    return (change.replaced ? 0 : stored[list]) + change.add.size > LIMITS.users;
  });
  if (over.length === 0) return;
  const pick = (side: 'add' | 'remove'): ListedIds =>
    over.flatMap((list) =>
      plan.lists[list].replaced ? [] : [...plan.lists[list][side]].map((id) => ({ list, id })),
    );
  const [added, removed] = await Promise.all([present(pick('add')), present(pick('remove'))]);
  for (const list of over) {
    const change = plan.lists[list];
    // Listed ids among `add` are not new; listed ids among `remove` really go.
    const length = change.replaced
      ? change.add.size
      : stored[list] - removed[list] + change.add.size - added[list];
    if (length > LIMITS.users)
      throw new ValidationError(list, length, `at most ${LIMITS.users} user ids`);
  }
}

// One list's operations folded in order: what must end up on it and off it.
class ListFold implements ListChange {
  replaced = false;
  readonly add = new Set<string>();
  readonly remove = new Set<string>();

  addIds(ids: readonly string[]): void {
    for (const id of ids) {
      this.remove.delete(id);
      this.add.add(id);
    }
  }

  removeIds(ids: readonly string[]): void {
    for (const id of ids) {
      this.add.delete(id);
      // A replaced list loses every row not in `add` anyway.
      if (!this.replaced) this.remove.add(id);
    }
  }

  replace(ids: readonly string[]): void {
    this.replaced = true;
    this.add.clear();
    this.remove.clear();
    for (const id of ids) this.add.add(id);
  }
}
