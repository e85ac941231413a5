import { bucketFromSalt, percentageThreshold } from './bucket.js';
import { EvaluatorKind, evaluatorKind } from './evaluator-kind.js';
import type { BucketHash } from './hash-versions.js';
import { HASH_V1, hashVersion } from './hash-versions.js';
import { intern } from './intern.js';
import { type Feature, GROUP_ALL, GROUP_NONE, type User } from './model.js';
import { isOwn, OwnReadOrder } from './own-property.js';
import type { Reason } from './reasons.js';
import { type CompiledRule, compileRule, ruleMatches } from './rules.js';
import { type CompiledVariants, compileVariants } from './variant-evaluate.js';

/** A group defined in code: a predicate over the (mapped) user. */
export type GroupPredicate = (user: User) => boolean;

/** A set of user ids, indexed for allocation-free lookups by string or number id. */
export interface IdSet {
  strings: ReadonlySet<string>;
  /** The ids that are canonical safe integers, as numbers, so numeric ids need no String(). */
  numbers: ReadonlySet<number>;
}

/** A feature prepared for fast evaluation: sets, parsed rules, the bucketing salt. */
export interface CompiledFeature {
  readonly feature: Feature;
  readonly killed: boolean;
  readonly all: boolean;
  readonly users: IdSet;
  readonly excluded: IdSet;
  readonly groups: ReadonlySet<string>;
  readonly groupList: readonly string[];
  readonly rules: readonly CompiledRule[];
  readonly percentage: number;
  readonly hash: BucketHash;
  readonly hashState: number;
  /** Whether any step reads the user id (deny list, user list, percentage): skips the read otherwise. */
  readonly needsId: boolean;
  /** The variants, offValue and pins, prepared by `variant-evaluate.ts` (read by `variant`, never by `can`). */
  readonly variants: CompiledVariants;
  /** The evaluator `decide` runs for this feature (`evaluator-kind.ts`). */
  readonly kind: EvaluatorKind;
  /** The attribute of the one condition of the `RULE_*` kinds ('' otherwise). */
  readonly attribute: string;
  /** The value the one condition of kind `RULE_EQUALS` compares to. */
  readonly value: unknown;
  /** The percentage as a hash version 1 bucket threshold (`percentageThreshold`); read only when `hash` is version 1. */
  readonly threshold: number;
}

function idSet(ids: readonly string[]): IdSet {
  const numbers = new Set<number>();
  for (const id of ids) {
    const n = Number(id);
    if (Number.isSafeInteger(n) && String(n) === id) numbers.add(n);
  }
  return { strings: new Set(ids), numbers };
}

/** Whether `id` (string or number) is in `set`, without allocating for strings and safe integers. */
export function idSetHas(set: IdSet, id: string | number): boolean {
  // Kept this small so the optimizing compiler always inlines it; numbers go out of line.
  return typeof id === 'string' ? set.strings.has(id) : numberIdIn(set, id);
}

/** {@link idSetHas} for a number id. */
function numberIdIn(set: IdSet, id: number): boolean {
  return Number.isSafeInteger(id) ? set.numbers.has(id) : set.strings.has(String(id));
}

/** Compiles a feature for evaluation. Pure; call again whenever the feature changes. */
export function compileFeature(feature: Feature): CompiledFeature {
  // Interned, as the name and the rule attributes: a group name then matches the user's by identity.
  const groupList = feature.groups.filter((g) => g !== GROUP_ALL && g !== GROUP_NONE).map(intern);
  const hash = hashVersion(feature.hashVersion) ?? HASH_V1;
  const kind = evaluatorKind(feature);
  const oneCondition = kind === EvaluatorKind.RULE_EQUALS || kind === EvaluatorKind.RULE_ONE;
  const condition = oneCondition ? feature.rules[0]?.conditions[0] : undefined;
  const first = condition?.values[0];
  return {
    feature,
    killed: feature.groups.includes(GROUP_NONE),
    all: feature.groups.includes(GROUP_ALL),
    users: idSet(feature.users),
    excluded: idSet(feature.excludedUsers),
    groups: new Set(groupList),
    groupList,
    rules: feature.rules.map(compileRule),
    percentage: feature.percentage,
    hash,
    hashState: hash.prepare(feature.name),
    needsId: feature.excludedUsers.length > 0 || feature.users.length > 0 || feature.percentage > 0,
    variants: compileVariants(feature),
    kind,
    attribute: intern(condition?.attribute ?? ''),
    value: typeof first === 'string' ? intern(first) : first,
    threshold: percentageThreshold(feature.percentage),
  };
}

/** Where an evaluation stood when it decided: filled in by `evaluateFeature`, reused between calls. */
export interface EvaluationDetail {
  /** The group that matched (step GROUP). */
  group: string | undefined;
  /** Index of the rule that matched (step RULE). */
  rule: number;
  /** The user's bucket position in percent (set when the percentage step ran). */
  position: number;
}

/** Receives errors thrown by code groups; evaluation itself never throws. */
export type GroupErrorHandler = (group: string, error: unknown) => void;

/** The id of a mapped user, or undefined when it has none usable. */
export function idOf(user: User): string | number | undefined {
  const id = user.id;
  // String ids inline; anything else out of line, so the hot path stays small to inline.
  if (typeof id === 'string') return id.length > 0 ? id : undefined;
  return otherIdOf(id);
}

/** {@link idOf} for an id that is not a string. */
function otherIdOf(id: unknown): number | undefined {
  return typeof id === 'number' && Number.isFinite(id) ? id : undefined;
}

/**
 * Evaluates one compiled feature for one user, in the documented order:
 * NONE → deny list → ALL → listed user → group (data, then code) → rule →
 * percentage → off. Returns the deciding step; never throws.
 */
export function evaluateFeature(
  cf: CompiledFeature,
  user: User,
  codeGroups: ReadonlyMap<string, GroupPredicate>,
  onGroupError: GroupErrorHandler | undefined,
  detail: EvaluationDetail | undefined,
): Reason {
  if (cf.killed) return 'KILL_SWITCH';
  const id = cf.needsId ? idOf(user) : undefined;
  if (id !== undefined && cf.excluded.strings.size > 0 && idSetHas(cf.excluded, id))
    return 'USER_EXCLUDED';
  if (cf.all) return 'ALL';
  if (id !== undefined && cf.users.strings.size > 0 && idSetHas(cf.users, id)) return 'USER_LISTED';
  if (cf.groupList.length > 0) {
    // The user's own property only, as rule attributes are read: groups inherited through
    // the prototype chain (a polluted Object.prototype, a shared prototype) grant nothing.
    // A plain object's groups are read first and checked for own-ness only on a match
    // (`own-property.ts`), written out with the constant name: a shared helper's
    // property-access feedback would mix 'groups' with the rule attributes' names.
    let order = OwnReadOrder.CHECK_FIRST;
    if (typeof user === 'object' && user !== null) {
      if (!('groups' in user)) order = OwnReadOrder.NO_PROPERTY;
      else {
        const proto: unknown = Object.getPrototypeOf(user);
        if (proto === Object.prototype || proto === null) order = OwnReadOrder.READ_FIRST;
      }
    }
    const listed =
      order === OwnReadOrder.NO_PROPERTY ||
      (order === OwnReadOrder.CHECK_FIRST && !isOwn(user, 'groups'))
        ? undefined
        : user.groups;
    if (Array.isArray(listed)) {
      for (let i = 0; i < listed.length; i++) {
        const g = listed[i];
        if (typeof g === 'string' && cf.groups.has(g)) {
          if (order === OwnReadOrder.READ_FIRST && !isOwn(user, 'groups')) break;
          if (detail) detail.group = g;
          return 'GROUP';
        }
      }
    }
    if (codeGroups.size > 0) {
      for (let i = 0; i < cf.groupList.length; i++) {
        const g = cf.groupList[i] as string;
        const predicate = codeGroups.get(g);
        if (predicate === undefined) continue;
        let matched = false;
        try {
          matched = predicate(user) === true;
        } catch (error) {
          // A throwing predicate counts as "not in the group"; the client reports it.
          onGroupError?.(g, error);
        }
        if (matched) {
          if (detail) detail.group = g;
          return 'GROUP';
        }
      }
    }
  }
  for (let i = 0; i < cf.rules.length; i++) {
    if (ruleMatches(cf.rules[i] as CompiledRule, user)) {
      if (detail) detail.rule = i;
      return 'RULE';
    }
  }
  if (cf.percentage > 0 && id !== undefined) {
    if (detail) detail.position = cf.hash.position(cf.hashState, id);
    if (inPercentage(cf, id)) return 'PERCENTAGE';
  }
  return 'DEFAULT';
}

/** Whether `id` is inside the feature's percentage (100 takes every id; call only when it is above 0). */
export function inPercentage(cf: CompiledFeature, id: string | number): boolean {
  // Hash version 1 (the default) with its threshold precomputed: no call through the
  // registry, and 100 % needs no test of its own (every bucket is below 100,000).
  // The other versions out of line: the inlined percentage step stays small in `can`.
  return cf.hash === HASH_V1
    ? bucketFromSalt(cf.hashState, id) < cf.threshold
    : inOtherPercentage(cf, id);
}

/** {@link inPercentage} for a hash version other than 1. */
function inOtherPercentage(cf: CompiledFeature, id: string | number): boolean {
  return cf.percentage >= 100 || cf.hash.includes(cf.hashState, id, cf.percentage);
}

/** Whether a reason means the feature is on. */
export function isOnReason(reason: Reason): boolean {
  return (
    reason === 'ALL' ||
    reason === 'USER_LISTED' ||
    reason === 'GROUP' ||
    reason === 'RULE' ||
    reason === 'PERCENTAGE'
  );
}
