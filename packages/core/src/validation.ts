import { DEFAULT_HASH_VERSION } from './bucket.js';
import { ValidationError } from './errors.js';
import { hashVersion } from './hash-versions.js';
import { LIMITS } from './limits.js';
import {
  type Condition,
  type ConditionValue,
  FEATURE_CONTENT_FIELDS,
  type Feature,
  type FeatureInput,
  type JsonObject,
  type JsonValue,
  OPERATORS,
  type Operator,
  type Rule,
  type RuleInput,
  type UserId,
} from './model.js';
import { parseSemver } from './semver.js';

// Control characters (C0, DEL, C1) and lone surrogates are never allowed in names or ids:
// they break terminals, logs and memcache keys, and cannot round-trip through UTF-8.
const FORBIDDEN_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(field: string, value: unknown, max: number, what: string): string {
  if (typeof value !== 'string')
    throw new ValidationError(field, value, `${what} must be a string`);
  if (value.length === 0) throw new ValidationError(field, value, `${what} must not be empty`);
  if (value.length > max) {
    throw new ValidationError(
      field,
      value,
      `${what} is ${value.length} characters long; the limit is ${max}`,
    );
  }
  if (FORBIDDEN_CHARS.test(value)) {
    throw new ValidationError(
      field,
      value,
      `${what} must not contain control characters or lone surrogates`,
    );
  }
  if (value.trim() !== value) {
    throw new ValidationError(field, value, `${what} must not start or end with white space`);
  }
  return value;
}

/** Checks a feature name: 1 to 200 characters, no control characters, no surrounding white space. */
export function validateFeatureName(name: unknown, field = 'name'): string {
  return checkText(field, name, LIMITS.nameLength, 'a feature name');
}

/** Checks a group name (same rules as feature names). `ALL` and `NONE` are the special groups. */
export function validateGroupName(group: unknown, field = 'group'): string {
  return checkText(field, group, LIMITS.groupLength, 'a group name');
}

/**
 * Normalizes a user id to the string that is stored: strings as they are, finite
 * numbers as their decimal form (`123` and `'123'` are the same user).
 */
export function normalizeUserId(id: unknown, field = 'user id'): string {
  if (typeof id === 'number') {
    if (!Number.isFinite(id))
      throw new ValidationError(field, id, 'a numeric user id must be finite');
    return String(id);
  }
  if (typeof id === 'string') {
    // Ids may contain anything printable, including , | : and quotes: they are data everywhere.
    if (id.length === 0) throw new ValidationError(field, id, 'a user id must not be empty');
    if (id.length > LIMITS.userIdLength) {
      throw new ValidationError(
        field,
        id,
        `a user id is ${id.length} characters long; the limit is ${LIMITS.userIdLength}`,
      );
    }
    if (FORBIDDEN_CHARS.test(id)) {
      throw new ValidationError(
        field,
        id,
        'a user id must not contain control characters or lone surrogates',
      );
    }
    return id;
  }
  throw new ValidationError(field, id, 'a user id must be a string or a finite number');
}

/** Extracts and normalizes the id of a user object, or of an id given directly. */
export function userIdOf(userOrId: unknown, field = 'user'): string {
  if (typeof userOrId === 'object' && userOrId !== null) {
    const id = (userOrId as { id?: unknown }).id;
    if (id === undefined || id === null)
      throw new ValidationError(`${field}.id`, id, 'the user has no id');
    return normalizeUserId(id, `${field}.id`);
  }
  return normalizeUserId(userOrId, field);
}

/** Checks a percentage (0 to 100) and rounds it to the 0.001 % resolution buckets have. */
export function validatePercentage(value: unknown, field = 'percentage'): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ValidationError(field, value, 'a percentage must be a number from 0 to 100');
  }
  if (!(value >= 0 && value <= 100)) {
    throw new ValidationError(field, value, 'a percentage must be from 0 to 100');
  }
  return Math.round(value * 1000) / 1000;
}

function sortedUnique(values: string[]): string[] {
  const out = [...new Set(values)];
  out.sort();
  return out;
}

function checkList<T>(field: string, value: unknown, max: number): readonly T[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'must be an array');
  if (value.length > max) {
    throw new ValidationError(field, value, `holds ${value.length} entries; the limit is ${max}`);
  }
  return value as readonly T[];
}

/** Normalizes a list of user ids: validated, stringified, de-duplicated, sorted. */
export function normalizeUserList(value: unknown, field: string): string[] {
  const list = checkList<UserId>(field, value, LIMITS.users);
  return sortedUnique(list.map((id, i) => normalizeUserId(id, `${field}[${i}]`)));
}

/** Normalizes a list of group names: validated, de-duplicated, sorted. */
export function normalizeGroupList(value: unknown, field = 'groups'): string[] {
  const list = checkList<string>(field, value, LIMITS.groups);
  return sortedUnique(list.map((g, i) => validateGroupName(g, `${field}[${i}]`)));
}

const SINGLE_VALUE: ReadonlySet<Operator> = new Set<Operator>([
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
const RULE_KEYS: readonly string[] = ['conditions'];

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
  if (SINGLE_VALUE.has(op) && list.length !== 1) {
    throw new ValidationError(`${field}.values`, rawValues, `${op} takes exactly one value`);
  }
  const values = list.map((v, i) => checkConditionValue(`${field}.values[${i}]`, op, v));
  return { attribute, operator: op, values };
}

/** Validates a rule (or a single condition as shorthand) and returns it as `{ conditions }`. */
export function normalizeRule(value: unknown, field: string): Rule {
  if (typeof value === 'object' && value !== null && 'conditions' in value) {
    checkKeys(value as Record<string, unknown>, field, RULE_KEYS, 'rule');
    const list = checkList<unknown>(
      `${field}.conditions`,
      (value as { conditions: unknown }).conditions,
      LIMITS.conditions,
    );
    if (list.length === 0)
      throw new ValidationError(`${field}.conditions`, list, 'a rule needs at least one condition');
    return { conditions: list.map((c, i) => normalizeCondition(c, `${field}.conditions[${i}]`)) };
  }
  return { conditions: [normalizeCondition(value, field)] };
}

/** Validates a list of rules. */
export function normalizeRules(value: unknown, field = 'rules'): Rule[] {
  const list = checkList<RuleInput>(field, value, LIMITS.rules);
  return list.map((r, i) => normalizeRule(r, `${field}[${i}]`));
}

function checkJson(value: unknown, field: string, depth: number): JsonValue {
  if (depth > LIMITS.dataDepth)
    throw new ValidationError(field, value, `nests deeper than ${LIMITS.dataDepth} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new ValidationError(field, value, 'JSON numbers must be finite');
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => checkJson(v, `${field}[${i}]`, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new ValidationError(
        field,
        value,
        'must be plain JSON (objects, arrays, strings, numbers, booleans, null)',
      );
    }
    // Built on a null-prototype object so keys such as "__proto__" stay plain data.
    const out: JsonObject = Object.create(null);
    for (const key of Object.keys(value)) {
      out[key] = checkJson((value as Record<string, unknown>)[key], `${field}.${key}`, depth + 1);
    }
    return Object.setPrototypeOf(out, Object.prototype) as JsonObject;
  }
  throw new ValidationError(
    field,
    value,
    'must be plain JSON (objects, arrays, strings, numbers, booleans, null)',
  );
}

/** Validates free-form data: a plain JSON object within the size and depth limits. */
export function normalizeData(value: unknown, field = 'data'): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, value, 'data must be a JSON object');
  }
  const data = checkJson(value, field, 0) as JsonObject;
  const size = new TextEncoder().encode(JSON.stringify(data)).length;
  if (size > LIMITS.dataBytes) {
    throw new ValidationError(
      field,
      value,
      `is ${size} bytes as JSON; the limit is ${LIMITS.dataBytes}`,
    );
  }
  return data;
}

/** Validates a description. */
export function normalizeDescription(value: unknown, field = 'description'): string {
  if (typeof value !== 'string')
    throw new ValidationError(field, value, 'a description must be a string');
  if (value.length > LIMITS.descriptionLength) {
    throw new ValidationError(
      field,
      value,
      `is ${value.length} characters long; the limit is ${LIMITS.descriptionLength}`,
    );
  }
  return value;
}

/** Validates a hash version: one this release knows. */
export function validateHashVersion(value: unknown, field = 'hashVersion'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || !hashVersion(value)) {
    throw new ValidationError(field, value, 'unknown bucketing hash version');
  }
  return value;
}

function checkTimestamp(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(field, value, 'must be an ISO 8601 timestamp');
  }
  return value;
}

/**
 * Builds a complete, normalized feature from `addFeature` input. `now` stamps
 * both timestamps; `version` is 0 until a store writes it.
 */
export function featureFromInput(input: unknown, now: string): Feature {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('feature', input, 'a feature must be an object with at least a name');
  }
  const raw = input as FeatureInput & Record<string, unknown>;
  const known = new Set<string>(['name', ...FEATURE_CONTENT_FIELDS]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      throw new ValidationError(
        key,
        raw[key],
        `unknown feature field (known: ${[...known].join(', ')})`,
      );
  }
  return {
    name: validateFeatureName(raw.name),
    description: raw.description === undefined ? '' : normalizeDescription(raw.description),
    groups: raw.groups === undefined ? [] : normalizeGroupList(raw.groups),
    users: raw.users === undefined ? [] : normalizeUserList(raw.users, 'users'),
    excludedUsers:
      raw.excludedUsers === undefined ? [] : normalizeUserList(raw.excludedUsers, 'excludedUsers'),
    percentage: raw.percentage === undefined ? 0 : validatePercentage(raw.percentage),
    rules: raw.rules === undefined ? [] : normalizeRules(raw.rules),
    data: raw.data === undefined ? {} : normalizeData(raw.data),
    hashVersion:
      raw.hashVersion === undefined ? DEFAULT_HASH_VERSION : validateHashVersion(raw.hashVersion),
    createdAt: now,
    updatedAt: now,
    version: 0,
  };
}

/**
 * Validates a feature read back from a store (or an import file) and returns a
 * normalized copy. Stores wrap the ValidationError it throws in a CorruptDataError
 * that says where the bad record lives.
 */
export function parseFeature(value: unknown): Feature {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('feature', value, 'a stored feature must be a JSON object');
  }
  const raw = value as Record<string, unknown>;
  const { createdAt, updatedAt, version, ...rest } = raw;
  const feature = featureFromInput(
    rest,
    checkTimestamp(createdAt ?? new Date(0).toISOString(), 'createdAt'),
  );
  feature.updatedAt = checkTimestamp(updatedAt ?? feature.createdAt, 'updatedAt');
  if (
    version !== undefined &&
    (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
  ) {
    throw new ValidationError('version', version, 'must be a non-negative integer');
  }
  feature.version = version ?? 0;
  return feature;
}
