import { type Feature, GROUP_ALL, GROUP_NONE } from './model.js';

/**
 * Which evaluator a compiled feature runs: the smallest one whose steps are the
 * only ones of the documented order that can change this feature's answer.
 * Chosen once, when the feature is compiled ({@link evaluatorKind}); `decide`
 * (`evaluators.ts`) dispatches on it. Every kind answers exactly as the general
 * path, reason included (pinned by `test/evaluators.test.ts`).
 */
export enum EvaluatorKind {
  /** Mixed gates: the general path, every step in order. */
  GENERAL = 0,
  /** No gate at all: always `DEFAULT`. */
  OFF = 1,
  /** Group `NONE`: always `KILL_SWITCH`. */
  KILLED = 2,
  /** Group `ALL`, no deny list: always `ALL` (nothing after it can matter). */
  ALL = 3,
  /** Group `ALL` and a deny list: `USER_EXCLUDED` or `ALL`. */
  ALL_EXCEPT = 4,
  /** A user list only: `USER_LISTED` or `DEFAULT`. */
  USERS = 5,
  /** A percentage only: `PERCENTAGE` or `DEFAULT`. */
  PERCENTAGE = 6,
  /** Steps that only read the id (deny list, user list, percentage), in any other combination. */
  IDS = 7,
  /** One rule of one `eq`/`in` condition with one value: one own-property compare. */
  RULE_EQUALS = 8,
  /** One rule of one condition of any other operator: one own-property read and its test. */
  RULE_ONE = 9,
}

/** Operators whose compiled test, given exactly one value, is `attribute === value`. */
const EQUALS_OPERATORS: ReadonlySet<string> = new Set(['eq', 'in']);

/** Chooses the evaluator for a (validated) feature from the gates it has. Pure. */
export function evaluatorKind(feature: Feature): EvaluatorKind {
  const groups = feature.groups;
  if (groups.includes(GROUP_NONE)) return EvaluatorKind.KILLED;
  const excluded = feature.excludedUsers.length > 0;
  // ALL decides right after the deny list: the later gates can never be reached.
  if (groups.includes(GROUP_ALL)) return excluded ? EvaluatorKind.ALL_EXCEPT : EvaluatorKind.ALL;
  const users = feature.users.length > 0;
  const percentage = feature.percentage > 0;
  const hasGroups = groups.length > 0;
  const rules = feature.rules;
  if (hasGroups) return EvaluatorKind.GENERAL;
  if (rules.length > 0) {
    if (excluded || users || percentage || rules.length > 1) return EvaluatorKind.GENERAL;
    const conditions = (rules[0] as Feature['rules'][number]).conditions;
    if (conditions.length !== 1) return EvaluatorKind.GENERAL;
    const condition = conditions[0] as (typeof conditions)[number];
    return EQUALS_OPERATORS.has(condition.operator) && condition.values.length === 1
      ? EvaluatorKind.RULE_EQUALS
      : EvaluatorKind.RULE_ONE;
  }
  if (!excluded && !users && !percentage) return EvaluatorKind.OFF;
  if (!excluded && users && !percentage) return EvaluatorKind.USERS;
  if (!excluded && !users && percentage) return EvaluatorKind.PERCENTAGE;
  return EvaluatorKind.IDS;
}
