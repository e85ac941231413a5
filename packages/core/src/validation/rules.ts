import { ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import {
  type Condition,
  type ConditionValue,
  OPERATORS,
  type Operator,
  type Rule,
  type RuleInput,
} from '../model.js';
import { parseSemver } from '../semver.js';
import { checkList, checkText } from './text.js';
import { validateVariantName } from './variants.js';

/** Operators that compare against exactly one value (the others take a list: any value matches). */
export const SINGLE_VALUE_OPERATORS: ReadonlySet<Operator> = new Set<Operator>([
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'semverEq',
  'semverLt',
  'semverLte',
  'semverGt',
  'semverGte',
  'before',
  'after',
]);

function checkConditionValue(field: string, operator: Operator, value: unknown): ConditionValue {
  if (typeof value === 'string') {
    if (value.length > LIMITS.conditionValueLength) {
      throw new ValidationError(
        field,
        value,
        `is ${value.length} characters long; the limit is ${LIMITS.conditionValueLength}`,
      );
    }
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(field, value, 'a number must be finite');
  } else if (typeof value !== 'boolean') {
    throw new ValidationError(
      field,
      value,
      'a condition value must be a string, a finite number or a boolean',
    );
  }
  switch (operator) {
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      if (typeof value !== 'number')
        throw new ValidationError(field, value, `${operator} compares numbers`);
      break;
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      if (typeof value !== 'string')
        throw new ValidationError(field, value, `${operator} takes strings`);
      break;
    case 'semverEq':
    case 'semverLt':
    case 'semverLte':
    case 'semverGt':
    case 'semverGte':
      if (typeof value !== 'string' || !parseSemver(value)) {
        throw new ValidationError(
          field,
          value,
          `${operator} takes a semantic version such as "1.2.3"`,
        );
      }
      break;
    case 'before':
    case 'after':
      if (
        typeof value === 'boolean' ||
        (typeof value === 'string' && Number.isNaN(Date.parse(value)))
      ) {
        throw new ValidationError(
          field,
          value,
          `${operator} takes an ISO 8601 date or epoch milliseconds`,
        );
      }
      break;
    default:
      break;
  }
  return value;
}

const CONDITION_KEYS: readonly string[] = ['attribute', 'operator', 'values', 'value'];
const RULE_KEYS: readonly string[] = ['conditions', 'variant'];

function checkKeys(
  raw: Record<string, unknown>,
  field: string,
  known: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new ValidationError(
        `${field}.${key}`,
        raw[key],
        `unknown ${what} field (known: ${known.join(', ')})`,
      );
    }
  }
}

/** Validates one condition and returns a clean copy. */
export function normalizeCondition(value: unknown, field: string): Condition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      field,
      value,
      'a condition must be an object { attribute, operator, values }',
    );
  }
  const raw = value as Record<string, unknown>;
  // Unknown keys are refused, not dropped: a stray `negate: true` must not store a rule
  // that means the opposite of what its author wrote.
  checkKeys(raw, field, CONDITION_KEYS, 'condition');
  if (raw.value !== undefined && raw.values !== undefined) {
    throw new ValidationError(`${field}.value`, raw.value, 'give either value or values, not both');
  }
  const attribute = checkText(
    `${field}.attribute`,
    raw.attribute,
    LIMITS.attributeLength,
    'an attribute name',
  );
  const operator = raw.operator;
  if (typeof operator !== 'string' || !(OPERATORS as readonly string[]).includes(operator)) {
    throw new ValidationError(
      `${field}.operator`,
      operator,
      `the operator must be one of ${OPERATORS.join(', ')}`,
    );
  }
  const op = operator as Operator;
  let rawValues = raw.values;
  if (rawValues === undefined && 'value' in raw) rawValues = [raw.value];
  const list = checkList<unknown>(`${field}.values`, rawValues, LIMITS.conditionValues);
  if (list.length === 0)
    throw new ValidationError(`${field}.values`, rawValues, 'needs at least one value');
  if (SINGLE_VALUE_OPERATORS.has(op) && list.length !== 1) {
    throw new ValidationError(`${field}.values`, rawValues, `${op} takes exactly one value`);
  }
  const values = list.map((v, i) => checkConditionValue(`${field}.values[${i}]`, op, v));
  return { attribute, operator: op, values };
}

/**
 * Validates a rule (or a single condition as shorthand, which may carry a `variant`)
 * and returns it as `{ conditions, variant? }`.
 */
export function normalizeRule(value: unknown, field: string): Rule {
  if (typeof value === 'object' && value !== null && 'conditions' in value) {
    const raw = value as Record<string, unknown>;
    checkKeys(raw, field, RULE_KEYS, 'rule');
    const list = checkList<unknown>(`${field}.conditions`, raw.conditions, LIMITS.conditions);
    if (list.length === 0)
      throw new ValidationError(`${field}.conditions`, list, 'a rule needs at least one condition');
    return withVariant(
      { conditions: list.map((c, i) => normalizeCondition(c, `${field}.conditions[${i}]`)) },
      raw.variant,
      field,
    );
  }
  if (typeof value === 'object' && value !== null && 'variant' in value) {
    const { variant, ...condition } = value as Record<string, unknown>;
    return withVariant({ conditions: [normalizeCondition(condition, field)] }, variant, field);
  }
  return { conditions: [normalizeCondition(value, field)] };
}

function withVariant(rule: Rule, variant: unknown, field: string): Rule {
  if (variant !== undefined) rule.variant = validateVariantName(variant, `${field}.variant`);
  return rule;
}

/** Validates a list of rules. */
export function normalizeRules(value: unknown, field = 'rules'): Rule[] {
  const list = checkList<RuleInput>(field, value, LIMITS.rules);
  return list.map((r, i) => normalizeRule(r, `${field}[${i}]`));
}
