/**
 * Validation of a feature's variants: the weighted list, the `offValue`, the users
 * pinned to a variant, and the names rules and pins give (each must be a variant of
 * the feature). Errors name the field (`variants[2].weight`).
 */
import { ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { Feature, JsonValue, UserVariant, Variant } from '../model.js';
import { jsonBytes, normalizeJsonValue } from './data.js';
import { normalizeUserId } from './names.js';
import { checkList, checkText } from './text.js';

/** Weights are kept in thousandths of a percent: the variant bucket's resolution. */
export const WEIGHT_SCALE = 1000;
const TOTAL = 100 * WEIGHT_SCALE;

const VARIANT_KEYS: readonly string[] = ['name', 'value', 'weight'];
const USER_VARIANT_KEYS: readonly string[] = ['user', 'variant'];

function checkObject(value: unknown, field: string, keys: readonly string[], what: string) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, value, `${what} must be an object { ${keys.join(', ')} }`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    // Refused, not dropped: a typo such as `wieght` must not store a different split.
    if (!keys.includes(key)) {
      throw new ValidationError(
        `${field}.${key}`,
        raw[key],
        `unknown ${what} field (known: ${keys.join(', ')})`,
      );
    }
  }
  return raw;
}

/** Checks a variant name: the rules of feature names. */
export function validateVariantName(name: unknown, field = 'variant'): string {
  return checkText(field, name, LIMITS.nameLength, 'a variant name');
}

/** Checks one weight: a finite number from 0 to 100, rounded to 0.001. */
export function validateWeight(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, value, 'a weight must be a finite number from 0 to 100');
  }
  if (value < 0 || value > 100) {
    throw new ValidationError(field, value, 'a weight must be from 0 to 100');
  }
  return Math.round(value * WEIGHT_SCALE) / WEIGHT_SCALE;
}

/** Validates an `offValue` (or a variant's value): plain JSON within `LIMITS.variantValueBytes`. */
export function normalizeOffValue(value: unknown, field = 'offValue'): JsonValue {
  if (value === undefined) throw new ValidationError(field, value, 'must be a JSON value');
  return normalizeJsonValue(value, field, LIMITS.variantValueBytes);
}

/**
 * Validates a variant list: 1 to `LIMITS.variants` entries `{ name, value, weight }`,
 * names unique, weights (in steps of 0.001) summing to exactly 100. Returns clean copies.
 */
export function normalizeVariants(value: unknown, field = 'variants'): Variant[] {
  const list = checkList<unknown>(field, value, LIMITS.variants);
  if (list.length === 0) throw new ValidationError(field, value, 'needs at least one variant');
  const seen = new Set<string>();
  let total = 0;
  let bytes = 0;
  const out = list.map((entry, i): Variant => {
    const at = `${field}[${i}]`;
    const raw = checkObject(entry, at, VARIANT_KEYS, 'variant');
    const name = validateVariantName(raw.name, `${at}.name`);
    if (seen.has(name))
      throw new ValidationError(`${at}.name`, name, 'variant names must be unique');
    seen.add(name);
    if (raw.value === undefined) {
      throw new ValidationError(`${at}.value`, undefined, 'a variant needs a JSON value');
    }
    const json = normalizeOffValue(raw.value, `${at}.value`);
    bytes += jsonBytes(json);
    const weight = validateWeight(raw.weight, `${at}.weight`);
    total += Math.round(weight * WEIGHT_SCALE);
    return { name, value: json, weight };
  });
  if (bytes > LIMITS.variantsBytes) {
    throw new ValidationError(
      field,
      undefined,
      `the values are ${bytes} bytes as JSON together; the limit is ${LIMITS.variantsBytes}`,
    );
  }
  // Summed in integer thousandths, so 33.333 + 33.333 + 33.334 is exactly 100.
  if (total !== TOTAL) {
    throw new ValidationError(
      field,
      list.map((v) => (v as { weight?: unknown }).weight),
      `the weights sum to ${total / WEIGHT_SCALE}; they must sum to 100 (in steps of 0.001)`,
    );
  }
  return out;
}

/** Validates the users pinned to a variant: one entry per user, sorted by user id. */
export function normalizeUserVariants(value: unknown, field = 'userVariants'): UserVariant[] {
  const list = checkList<unknown>(field, value, LIMITS.users);
  const seen = new Set<string>();
  const out = list.map((entry, i): UserVariant => {
    const at = `${field}[${i}]`;
    const raw = checkObject(entry, at, USER_VARIANT_KEYS, 'user variant');
    const user = normalizeUserId(raw.user, `${at}.user`);
    if (seen.has(user))
      throw new ValidationError(`${at}.user`, user, 'a user is pinned to one variant');
    seen.add(user);
    return { user, variant: validateVariantName(raw.variant, `${at}.variant`) };
  });
  out.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  return out;
}

/**
 * Checks that every variant a rule or a pinned user names is one of the feature's
 * variants. Runs on whole features (creation, records read back, every mutation's
 * result), since the names and the list can change separately.
 */
export function checkVariantReferences(feature: Feature): void {
  const names = new Set((feature.variants ?? []).map((v) => v.name));
  const why =
    names.size === 0
      ? 'the feature has no variants'
      : `not one of the feature's variants (${[...names].join(', ')})`;
  feature.rules.forEach((rule, i) => {
    if (rule.variant !== undefined && !names.has(rule.variant)) {
      throw new ValidationError(`rules[${i}].variant`, rule.variant, why);
    }
  });
  feature.userVariants?.forEach((pin, i) => {
    if (!names.has(pin.variant)) {
      throw new ValidationError(`userVariants[${i}].variant`, pin.variant, why);
    }
  });
}

/**
 * Sets or removes the variant fields of `feature` from already validated values,
 * keeping a plain feature free of them: an empty list or undefined removes the field.
 */
export function assignVariantFields(
  feature: Feature,
  fields: { variants?: Variant[]; offValue?: JsonValue; userVariants?: UserVariant[] },
): Feature {
  if ('variants' in fields) {
    if (fields.variants && fields.variants.length > 0) feature.variants = fields.variants;
    else delete feature.variants;
  }
  if ('offValue' in fields) {
    if (fields.offValue !== undefined) feature.offValue = fields.offValue;
    else delete feature.offValue;
  }
  if ('userVariants' in fields) {
    if (fields.userVariants && fields.userVariants.length > 0)
      feature.userVariants = fields.userVariants;
    else delete feature.userVariants;
  }
  return feature;
}
