import { bucketFromSalt, HASH_V1 } from './bucket.js';
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
import type { Reason } from './reasons.js';
import type { CompiledRule, ConditionTest } from './rules.js';

/**
 * The specialised evaluators: for each {@link EvaluatorKind}, only the steps of the
 * documented order that can change that feature's answer, in that order. Like the
 * general path (`evaluateFeature`) they read only own properties of attributes and
 * groups, never throw and allocate nothing; unlike it they fill in no detail, so
 * `explain` keeps the general path.
 */

const hasOwn = Object.prototype.hasOwnProperty;

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
  switch (cf.kind) {
    case EvaluatorKind.OFF:
      return 'DEFAULT';
    case EvaluatorKind.KILLED:
      return 'KILL_SWITCH';
    case EvaluatorKind.ALL:
      return 'ALL';
    case EvaluatorKind.ALL_EXCEPT:
      return decideAllExcept(cf, user);
    case EvaluatorKind.USERS:
      return decideUsers(cf, user);
    case EvaluatorKind.PERCENTAGE:
      return decidePercentage(cf, user);
    case EvaluatorKind.IDS:
      return decideIds(cf, user);
    case EvaluatorKind.RULE_EQUALS:
      return hasOwn.call(user, cf.attribute) &&
        (user as Record<string, unknown>)[cf.attribute] === cf.value
        ? 'RULE'
        : 'DEFAULT';
    case EvaluatorKind.RULE_ONE:
      return decideOneCondition(cf, user);
    default:
      return evaluateFeature(cf, user, codeGroups, onGroupError, undefined);
  }
}

/** Deny list, then ALL. */
function decideAllExcept(cf: CompiledFeature, user: User): Reason {
  const id = idOf(user);
  return id !== undefined && idSetHas(cf.excluded, id) ? 'USER_EXCLUDED' : 'ALL';
}

/** The user list alone. */
function decideUsers(cf: CompiledFeature, user: User): Reason {
  const id = idOf(user);
  return id !== undefined && idSetHas(cf.users, id) ? 'USER_LISTED' : 'DEFAULT';
}

/** The percentage alone; users without an id are never in it. */
function decidePercentage(cf: CompiledFeature, user: User): Reason {
  const id = idOf(user);
  if (id === undefined) return 'DEFAULT';
  // inPercentage, written out: one call level less keeps the hash inlined here.
  if (cf.percentage >= 100) return 'PERCENTAGE';
  const inside =
    cf.hash === HASH_V1
      ? bucketFromSalt(cf.hashState, id) < cf.threshold
      : cf.hash.includes(cf.hashState, id, cf.percentage);
  return inside ? 'PERCENTAGE' : 'DEFAULT';
}

/** Deny list, user list, percentage: each only when the feature has it. */
function decideIds(cf: CompiledFeature, user: User): Reason {
  const id = idOf(user);
  if (id === undefined) return 'DEFAULT';
  if (cf.excluded.strings.size > 0 && idSetHas(cf.excluded, id)) return 'USER_EXCLUDED';
  if (cf.users.strings.size > 0 && idSetHas(cf.users, id)) return 'USER_LISTED';
  return cf.percentage > 0 && inPercentage(cf, id) ? 'PERCENTAGE' : 'DEFAULT';
}

/** One condition of any operator: its own-property attribute through its compiled test. */
function decideOneCondition(cf: CompiledFeature, user: User): Reason {
  if (!hasOwn.call(user, cf.attribute)) return 'DEFAULT';
  const test = (cf.rules[0] as CompiledRule).tests[0] as ConditionTest;
  return test((user as Record<string, unknown>)[cf.attribute]) ? 'RULE' : 'DEFAULT';
}
