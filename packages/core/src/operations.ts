import { FeatureNotFoundError, ValidationError } from './errors.js';
import { LIMITS } from './limits.js';
import type { Feature } from './model.js';
import { sameContent } from './same-content.js';
import { validatePatch } from './validation/patch.js';
import { checkVariantReferences, validateVariantName } from './validation/variants.js';
import {
  featureFromInput,
  normalizeUserId,
  validateGroupName,
  validatePercentage,
} from './validation.js';

/** The fields a `set` operation may replace (each validated as `updateFeature` validates it). */
export type SettableField =
  | 'description'
  | 'groups'
  | 'users'
  | 'excludedUsers'
  | 'rules'
  | 'data'
  | 'hashVersion'
  | 'offValue';

/** The optional fields an `unset` operation may remove. */
export type UnsettableField = 'offValue' | 'userVariants';

/**
 * One edit of a feature, as data: the closed set a store's `apply` understands.
 * Lists are of normalized ids and group names; adding what is there or removing what
 * is not changes nothing.
 */
export type FeatureOperation =
  /** Adds ids to `users`; with `variant`, pins each of them to it (replacing a pin). */
  | { readonly op: 'addUsers'; readonly users: readonly string[]; readonly variant?: string }
  /** Removes ids from `users` and drops their variant pins. */
  | { readonly op: 'removeUsers'; readonly users: readonly string[] }
  /** Adds ids to the deny list (`excludedUsers`). */
  | { readonly op: 'exclude'; readonly users: readonly string[] }
  /** Removes ids from the deny list. */
  | { readonly op: 'include'; readonly users: readonly string[] }
  | { readonly op: 'addGroups'; readonly groups: readonly string[] }
  | { readonly op: 'removeGroups'; readonly groups: readonly string[] }
  | { readonly op: 'setPercentage'; readonly percentage: number }
  /** Replaces one field with a value (normalized as `updateFeature` normalizes it). */
  | {
      [K in SettableField]: { readonly op: 'set'; readonly field: K; readonly value: Feature[K] };
    }[SettableField]
  /** Removes an optional field (the offValue, or every variant pin). */
  | { readonly op: 'unset'; readonly field: UnsettableField };

/** Options of a store's `apply`. */
export interface ApplyOptions {
  /** Create the feature (empty, off, as `featureFromInput({ name })`) when it does not exist. Default false. */
  readonly create?: boolean;
  /** The write's timestamp (ISO 8601) for `updatedAt` (and `createdAt` on creation). Default: the store's clock. */
  readonly now?: string;
}

/**
 * What a store's `apply` returns. Always the outcome (`changed`, `version`, `createdAt`),
 * and the whole record only where the store has it at hand anyway: a store whose id
 * lists live apart from the document (Redis, PostgreSQL) omits `feature`, so an apply
 * stays O(1) in the number of listed users. The client then derives the record from
 * its local copy (same reference `applyOperations`, same `now`), or reads it with `get`.
 */
export interface ApplyResult {
  /** False when the operations left the feature as it was: nothing was written (no version, no entry, no event). */
  readonly changed: boolean;
  /** The stored version after the call (the unchanged one when `changed` is false). */
  readonly version: number;
  /**
   * The stored record's `createdAt`: with `version`, which life of the feature the result
   * is about. A feature removed and created again starts over at version 1, so a version
   * alone cannot tell a local copy of the old life from the new one.
   */
  readonly createdAt: string;
  /**
   * The store revision the write produced (when `changed`), where the store can tell:
   * the writing client then recognises the change notification of its own write
   * (same revision) and does not read the feature back. Absent: the client reads as usual.
   */
  readonly revision?: number;
  /** The feature as stored after the operations; optional (see above). */
  readonly feature?: Feature;
}

/** What the reference {@link applyOperations} computes: the record, whole, and what happened. */
export interface AppliedOperations {
  /** The record after the operations (version still the current one: the store sets the next). */
  readonly feature: Feature;
  /** False when the operations left the feature as it was. */
  readonly changed: boolean;
  /** True when the feature did not exist and `create` made it. */
  readonly created: boolean;
}

/** Most operations in one `apply` call. */
export const MAX_OPERATIONS = 100;

const SETTABLE: ReadonlySet<string> = new Set<SettableField>([
  'description',
  'groups',
  'users',
  'excludedUsers',
  'rules',
  'data',
  'hashVersion',
  'offValue',
]);
const UNSETTABLE: ReadonlySet<string> = new Set<UnsettableField>(['offValue', 'userVariants']);

/**
 * Validates a list of operations (1 to {@link MAX_OPERATIONS}) and returns normalized
 * copies: ids stringified, names checked, `set` values normalized. Throws
 * ValidationError (code `INVALID_INPUT`) naming the bad operation's field. Core calls
 * it before any store sees the operations; a store's `apply` calls it again (anyone may call a store).
 */
export function checkOperations(operations: unknown): FeatureOperation[] {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ValidationError('operations', operations, 'must be a non-empty list of operations');
  }
  if (operations.length > MAX_OPERATIONS) {
    throw new ValidationError(
      'operations',
      operations.length,
      `at most ${MAX_OPERATIONS} operations per write`,
    );
  }
  return operations.map((raw, i) => checkOperation(raw, `operations[${i}]`));
}

function checkOperation(raw: unknown, at: string): FeatureOperation {
  if (typeof raw !== 'object' || raw === null) {
    throw new ValidationError(at, raw, 'an operation must be an object');
  }
  const op = raw as Record<string, unknown>;
  switch (op.op) {
    case 'addUsers': {
      const users = idList(op.users, `${at}.users`);
      if (op.variant === undefined) return { op: 'addUsers', users };
      return { op: 'addUsers', users, variant: validateVariantName(op.variant, `${at}.variant`) };
    }
    case 'removeUsers':
    case 'exclude':
    case 'include':
      return { op: op.op, users: idList(op.users, `${at}.users`) };
    case 'addGroups':
    case 'removeGroups':
      return { op: op.op, groups: groupList(op.groups, `${at}.groups`) };
    case 'setPercentage':
      return {
        op: 'setPercentage',
        percentage: validatePercentage(op.percentage, `${at}.percentage`),
      };
    case 'set': {
      const field = op.field;
      if (typeof field !== 'string' || !SETTABLE.has(field)) {
        throw new ValidationError(`${at}.field`, field, `one of ${[...SETTABLE].join(', ')}`);
      }
      if (op.value === undefined) throw new ValidationError(`${at}.value`, op.value, 'required');
      const patch = validatePatch({ [field]: op.value }) as Record<string, unknown>;
      return { op: 'set', field, value: patch[field] } as FeatureOperation;
    }
    case 'unset': {
      if (typeof op.field !== 'string' || !UNSETTABLE.has(op.field)) {
        throw new ValidationError(`${at}.field`, op.field, `one of ${[...UNSETTABLE].join(', ')}`);
      }
      return { op: 'unset', field: op.field as UnsettableField };
    }
    default:
      throw new ValidationError(
        `${at}.op`,
        op.op,
        'one of addUsers, removeUsers, exclude, include, addGroups, removeGroups, setPercentage, set, unset',
      );
  }
}

function idList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.users) {
    throw new ValidationError(field, value, `must list 1 to ${LIMITS.users} user ids`);
  }
  return value.map((id, i) => normalizeUserId(id, `${field}[${i}]`));
}

function groupList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.groups) {
    throw new ValidationError(field, value, `must list 1 to ${LIMITS.groups} groups`);
  }
  return value.map((g, i) => validateGroupName(g, `${field}[${i}]`));
}

/**
 * Applies checked operations to a copy of `current` (in place on the copy, in order)
 * and returns the result with its timestamps set; `current` is not touched, and the
 * result shares the values the operations left alone with it (treat both as
 * immutable, or copy: stores keep validated copies). The
 * reference semantics of `apply`: a store that runs them in the backend (a Redis
 * script) must produce the same record. Throws FeatureNotFoundError when `current` is
 * undefined without `create`, and ValidationError when the result would break a limit
 * or name a variant the feature does not have. The result's version is `current`'s
 * (0 when created): the store sets the next one.
 */
export function applyOperations(
  name: string,
  current: Feature | undefined,
  operations: readonly FeatureOperation[],
  options: ApplyOptions = {},
): AppliedOperations {
  const now = options.now ?? new Date().toISOString();
  if (!current && !options.create) throw new FeatureNotFoundError(name);
  const base = current ?? featureFromInput({ name }, now);
  // A shallow copy: every edit replaces a top-level field with a new value (lists are
  // rebuilt, `set` values cloned) and never changes a nested one in place, so the
  // result may share untouched values with `current`, and an edit of one id on a list of
  // 100,000 copies that list once instead of cloning the whole record.
  const next = { ...base };
  editFeatureWith(next, operations);
  checkVariantReferences(next);
  if (current && sameContent(current, next))
    return { feature: current, changed: false, created: false };
  next.updatedAt = now;
  return { feature: next, changed: true, created: !current };
}

/**
 * Applies checked operations to `feature` in place, in order, and checks the list
 * limits of the result (ValidationError). Variant references are the caller's to check.
 */
export function editFeatureWith(feature: Feature, operations: readonly FeatureOperation[]): void {
  for (const operation of operations) editFeature(feature, operation);
  checkLimits(feature);
}

function editFeature(feature: Feature, operation: FeatureOperation): void {
  switch (operation.op) {
    case 'addUsers':
      feature.users = sortedWith(feature.users, operation.users);
      if (operation.variant !== undefined) pin(feature, operation.users, operation.variant);
      return;
    case 'removeUsers': {
      feature.users = without(feature.users, operation.users);
      unpin(feature, operation.users);
      return;
    }
    case 'exclude':
      feature.excludedUsers = sortedWith(feature.excludedUsers, operation.users);
      return;
    case 'include':
      feature.excludedUsers = without(feature.excludedUsers, operation.users);
      return;
    case 'addGroups':
      feature.groups = sortedWith(feature.groups, operation.groups);
      return;
    case 'removeGroups':
      feature.groups = without(feature.groups, operation.groups);
      return;
    case 'setPercentage':
      feature.percentage = operation.percentage;
      return;
    case 'set':
      (feature as unknown as Record<string, unknown>)[operation.field] = structuredClone(
        operation.value,
      );
      return;
    case 'unset':
      delete feature[operation.field];
      return;
  }
}

// Checked here rather than left to parseFeature, with the same messages as the Redis
// script, so a limit reads the same whichever store refused it.
function checkLimits(feature: Feature): void {
  for (const field of ['users', 'excludedUsers'] as const) {
    if (feature[field].length > LIMITS.users)
      throw new ValidationError(field, feature[field].length, `at most ${LIMITS.users} user ids`);
  }
  if (feature.groups.length > LIMITS.groups)
    throw new ValidationError('groups', feature.groups.length, `at most ${LIMITS.groups} groups`);
}

function pin(feature: Feature, users: readonly string[], variant: string): void {
  const ids = new Set(users);
  const pins = (feature.userVariants ?? []).filter((p) => !ids.has(p.user));
  for (const user of ids) pins.push({ user, variant });
  pins.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  feature.userVariants = pins;
}

function unpin(feature: Feature, users: readonly string[]): void {
  if (!feature.userVariants) return;
  const ids = new Set(users);
  const pins = feature.userVariants.filter((p) => !ids.has(p.user));
  if (pins.length > 0) feature.userVariants = pins;
  else delete feature.userVariants;
}

// Up to this many ids per operation, lists are edited by binary search (O(n) copy, no
// Set of the whole list, no sort); more take the general path.
const FEW = 16;

// Lists of a validated feature are sorted (code unit order) and unique: `sortedUnique`
// in validation/names.ts, and every edit here keeps them so. Both helpers return the
// list itself when nothing changes (nothing edits a list in place).
function sortedWith(list: readonly string[], values: readonly string[]): string[] {
  if (values.length <= FEW) {
    // toSpliced: one copy with the value in place (splice on a copy moves it twice).
    let out = list;
    for (const v of values) {
      const at = search(out, v);
      if (at < 0) out = out.toSpliced(~at, 0, v);
    }
    return out as string[];
  }
  const present = new Set(list);
  const added = values.filter((v) => !present.has(v) && present.add(v));
  if (added.length === 0) return list as string[];
  const out = [...list, ...added];
  out.sort();
  return out;
}

function without(list: readonly string[], values: readonly string[]): string[] {
  if (values.length <= FEW) {
    let out = list;
    for (const v of values) {
      const at = search(out, v);
      if (at >= 0) out = out.toSpliced(at, 1);
    }
    return out as string[];
  }
  const gone = new Set(values);
  const out = list.filter((v) => !gone.has(v));
  return out.length === list.length ? (list as string[]) : out;
}

// Index of `v` in the sorted `list`, or ~(where it would go) when absent.
function search(list: readonly string[], v: string): number {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const x = list[mid] as string;
    if (x === v) return mid;
    if (x < v) low = mid + 1;
    else high = mid - 1;
  }
  return ~low;
}
