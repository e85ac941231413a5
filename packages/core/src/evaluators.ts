import {
  type CompiledFeature,
  evaluateFeature,
  type GroupErrorHandler,
  type GroupPredicate,
  idOf,
  idSetHas,
  inPercentage,
} from './evaluate.js';
import { EvaluatorKind } from './evaluator-kind.js';
import type { User } from './model.js';
import { ownEquals, ownPasses } from './own-property.js';
import type { Reason } from './reasons.js';
import type { CompiledRule, ConditionTest } from './rules.js';

/**
 * The specialised evaluators: for each {@link EvaluatorKind}, only the steps of the
 * documented order that can change that feature's answer, in that order. Like the
 * general path (`evaluateFeature`) they read only own properties of attributes and
 * groups, never throw and allocate nothing; unlike it they fill in no detail, so
 * `explain` keeps the general path.
 */

/**
 * Decides one compiled feature for one user with the evaluator chosen when it was
 * compiled: the on/off decision of `can` (and of anything built on it), as the step
 * that decided. Answers exactly as `evaluateFeature(cf, user, codeGroups, onGroupError,
 * undefined)`; never throws.
 */
export function decide(
  cf: CompiledFeature,
  user: User,
  codeGroups: ReadonlyMap<string, GroupPredicate>,
  onGroupError: GroupErrorHandler | undefined,
): Reason {
  // The optimizing compiler inlines `can`, and this, into its caller only while all it
  // inlines stays under one budget of bytecodes, shared by every kind that caller has
  // seen: so the common kinds are tested here in a few bytecodes each (a `switch` on the
  // kind costs a range-checked jump table), the id is read once for the two kinds that
  // need it, and the rarer kinds go out of line together.
  const kind = cf.kind;
  if (kind === EvaluatorKind.RULE_EQUALS)
    return ownEquals(user, cf.attribute, cf.value) ? 'RULE' : 'DEFAULT';
  if (kind === EvaluatorKind.USERS || kind === EvaluatorKind.PERCENTAGE) {
    // Users without an id are in no list and no percentage.
    const id = idOf(user);
    if (id === undefined) return 'DEFAULT';
    if (kind === EvaluatorKind.USERS) return idSetHas(cf.users, id) ? 'USER_LISTED' : 'DEFAULT';
    return inPercentage(cf, id) ? 'PERCENTAGE' : 'DEFAULT';
  }
  if (kind === EvaluatorKind.GENERAL)
    return evaluateFeature(cf, user, codeGroups, onGroupError, undefined);
  if (kind === EvaluatorKind.OFF) return 'DEFAULT';
  return decideRare(cf, user);
}

/** The kinds {@link decide} keeps out of line: constants, the other id kinds, one condition of any operator. */
function decideRare(cf: CompiledFeature, user: User): Reason {
  switch (cf.kind) {
    case EvaluatorKind.KILLED:
      return 'KILL_SWITCH';
    case EvaluatorKind.ALL:
      return 'ALL';
    case EvaluatorKind.RULE_ONE:
      return decideOneCondition(cf, user);
    default:
      return decideIds(cf, user);
  }
}

/**
 * The other kinds that only read the id (ALL_EXCEPT, IDS): deny list, ALL, user list,
 * percentage, each only when the feature has it. Users without an id are in no list
 * and no percentage.
 */
function decideIds(cf: CompiledFeature, user: User): Reason {
  const id = idOf(user);
  if (id === undefined) return cf.all ? 'ALL' : 'DEFAULT';
  if (cf.excluded.strings.size > 0 && idSetHas(cf.excluded, id)) return 'USER_EXCLUDED';
  if (cf.all) return 'ALL';
  if (cf.users.strings.size > 0 && idSetHas(cf.users, id)) return 'USER_LISTED';
  return cf.percentage > 0 && inPercentage(cf, id) ? 'PERCENTAGE' : 'DEFAULT';
}

/** One condition of any operator: its own-property attribute through its compiled test. */
function decideOneCondition(cf: CompiledFeature, user: User): Reason {
  const test = (cf.rules[0] as CompiledRule).tests[0] as ConditionTest;
  return ownPasses(user, cf.attribute, test) ? 'RULE' : 'DEFAULT';
}
