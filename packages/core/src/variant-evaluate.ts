/**
 * Variant evaluation, beside (not inside) the on/off evaluation of `evaluate.ts`: once
 * `evaluateFeature` has decided whether the feature is on, this picks the variant
 * (a pin for the user, else the variant of the rule that let the user in, else the
 * variant bucket) and hands back a result object built when the feature was compiled,
 * so answering allocates nothing.
 */
import { intern } from './intern.js';
import type { Feature, JsonValue, User } from './model.js';
import type { Reason } from './reasons.js';
import { type CompiledRule, ruleMatches } from './rules.js';
import {
  variantBounds,
  variantBucketFromSalt,
  variantIndexOf,
  variantSalt,
} from './variant-bucket.js';

/** What `rollout.variant` returns. Shared and frozen: copy before changing it. */
export interface VariantResult {
  /** Whether the feature is on for the user (what `can` answers). */
  readonly enabled: boolean;
  /** The variant the user gets; absent when the feature is off or has no variants. */
  readonly variant?: string;
  /**
   * The variant's value when on; the feature's `offValue` when off and one is set;
   * absent otherwise.
   */
  readonly value?: JsonValue;
  /** The step of the evaluation order that decided whether the feature is on. */
  readonly reason: Reason;
}

/** The reasons evaluation gives for "on". */
type OnReason = 'ALL' | 'USER_LISTED' | 'GROUP' | 'RULE' | 'PERCENTAGE';
const ON_REASONS: readonly OnReason[] = ['ALL', 'USER_LISTED', 'GROUP', 'RULE', 'PERCENTAGE'];
/** The reasons a known feature can be off for. */
type OffReason = 'KILL_SWITCH' | 'USER_EXCLUDED' | 'DEFAULT' | 'ERROR';
const OFF_REASONS: readonly OffReason[] = ['KILL_SWITCH', 'USER_EXCLUDED', 'DEFAULT', 'ERROR'];

/** A JSON value's type, as `value()` compares a stored value with the caller's fallback. */
export type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** The JSON type of a value (no allocation). */
export function jsonKind(value: unknown): JsonKind | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value as 'string' | 'number' | 'boolean';
    case 'object':
      return Array.isArray(value) ? 'array' : 'object';
    default:
      return undefined;
  }
}

/** One variant, prepared: its frozen value and one frozen result per "on" reason. */
interface CompiledVariant {
  readonly name: string;
  readonly results: Readonly<Record<OnReason, VariantResult>>;
}

/** A feature's variants prepared for evaluation; {@link NO_VARIANTS} for a plain feature. */
export interface CompiledVariants {
  readonly list: readonly CompiledVariant[];
  /** Upper bound of each variant's bucket range (see `variant-bucket.ts`). */
  readonly bounds: readonly number[];
  readonly salt: number;
  /** The variant of users without an id: the first with a weight above zero. */
  readonly noId: number;
  /** Per rule, the index of the variant it names, or -1. Empty when no rule names one. */
  readonly ruleVariants: readonly number[];
  /** Pinned users: id → variant index, by string and (canonical safe integers) by number. */
  readonly pins: ReadonlyMap<string, number>;
  readonly numberPins: ReadonlyMap<number, number>;
  /** The results when the feature is off (with the `offValue`, if any). */
  readonly off: Readonly<Record<OffReason, VariantResult>>;
  /** The results when the feature is on and has no variants. */
  readonly on: Readonly<Record<OnReason, VariantResult>>;
  /** Whether a pin or a rule variant may decide (else the bucket alone does): skips both checks. */
  readonly targeted: boolean;
  // Per "on" reason, the result of each variant by index: one load on the hot path.
  readonly all: readonly VariantResult[];
  readonly listed: readonly VariantResult[];
  readonly group: readonly VariantResult[];
  readonly rule: readonly VariantResult[];
  readonly percentage: readonly VariantResult[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function resultsFor<R extends Reason>(
  reasons: readonly R[],
  make: (reason: R) => VariantResult,
): Readonly<Record<R, VariantResult>> {
  const out = {} as Record<R, VariantResult>;
  for (const reason of reasons) out[reason] = Object.freeze(make(reason));
  return Object.freeze(out);
}

const PLAIN_ON = resultsFor(ON_REASONS, (reason) => ({ enabled: true, reason }));
const PLAIN_OFF = resultsFor(OFF_REASONS, (reason) => ({ enabled: false, reason }));

/** The answer when no feature could be read (not ready, unknown): off, no value. */
export const UNKNOWN_RESULTS: Readonly<Record<'NOT_READY' | 'FEATURE_NOT_FOUND', VariantResult>> =
  resultsFor(['NOT_READY', 'FEATURE_NOT_FOUND'] as const, (reason) => ({ enabled: false, reason }));

/** Builds the compiled form; every one is made here, so all share one shape (monomorphic loads). */
function compiled(
  fields: Omit<CompiledVariants, 'all' | 'listed' | 'group' | 'rule' | 'percentage'>,
): CompiledVariants {
  const each = (reason: OnReason) => fields.list.map((v) => v.results[reason]);
  return {
    list: fields.list,
    bounds: fields.bounds,
    salt: fields.salt,
    noId: fields.noId,
    ruleVariants: fields.ruleVariants,
    pins: fields.pins,
    numberPins: fields.numberPins,
    off: fields.off,
    on: fields.on,
    targeted: fields.targeted,
    all: each('ALL'),
    listed: each('USER_LISTED'),
    group: each('GROUP'),
    rule: each('RULE'),
    percentage: each('PERCENTAGE'),
  };
}

/** What a feature without variants, offValue or pins compiles to. */
export const NO_VARIANTS: CompiledVariants = compiled({
  list: [],
  bounds: [],
  salt: 0,
  noId: -1,
  ruleVariants: [],
  pins: new Map(),
  numberPins: new Map(),
  off: PLAIN_OFF,
  on: PLAIN_ON,
  targeted: false,
});

/** Prepares a feature's variants. Pure; the values are copied and frozen, the stored feature is left as is. */
export function compileVariants(feature: Feature): CompiledVariants {
  const variants = feature.variants ?? [];
  if (variants.length === 0 && feature.offValue === undefined) return NO_VARIANTS;
  const indexOf = new Map(variants.map((v, i) => [v.name, i]));
  const list = variants.map((v): CompiledVariant => {
    // A string value interned (`intern.ts`): the caller's `=== 'red'` then compares by identity.
    const value =
      typeof v.value === 'string' ? intern(v.value) : deepFreeze(structuredClone(v.value));
    return {
      name: v.name,
      results: resultsFor(ON_REASONS, (reason) => ({
        enabled: true,
        variant: v.name,
        value,
        reason,
      })),
    };
  });
  const pins = new Map<string, number>();
  const numberPins = new Map<number, number>();
  for (const pin of feature.userVariants ?? []) {
    const index = indexOf.get(pin.variant);
    if (index === undefined) continue;
    pins.set(pin.user, index);
    const n = Number(pin.user);
    if (Number.isSafeInteger(n) && String(n) === pin.user) numberPins.set(n, index);
  }
  const ruleVariants = feature.rules.map((r) =>
    r.variant === undefined ? -1 : (indexOf.get(r.variant) ?? -1),
  );
  const offValue =
    feature.offValue === undefined
      ? undefined
      : typeof feature.offValue === 'string'
        ? intern(feature.offValue)
        : deepFreeze(structuredClone(feature.offValue));
  const targetedRules = ruleVariants.some((i) => i >= 0);
  return compiled({
    list,
    bounds: variantBounds(variants),
    salt: variantSalt(feature.name),
    noId: variants.findIndex((v) => v.weight > 0),
    ruleVariants: targetedRules ? ruleVariants : [],
    pins,
    numberPins,
    off:
      offValue === undefined
        ? PLAIN_OFF
        : resultsFor(OFF_REASONS, (reason) => ({ enabled: false, value: offValue, reason })),
    on: PLAIN_ON,
    targeted: targetedRules || pins.size > 0,
  });
}

/**
 * The index of the variant `user` gets from a feature that is on for them (`reason`),
 * or -1 when the feature has no variants. `rules` are the feature's compiled rules, `id`
 * the user's usable id (`idOf`). Order: the user's pin, the variant of the
 * first rule that matches (when a rule decided), the variant bucket; users without
 * an id get the first variant with a weight above zero.
 */
export function chooseVariant(
  cv: CompiledVariants,
  rules: readonly CompiledRule[],
  user: User,
  id: string | number | undefined,
  reason: Reason,
): number {
  if (cv.list.length === 0) return -1;
  if (!cv.targeted) {
    return id === undefined
      ? cv.noId
      : variantIndexOf(cv.bounds, variantBucketFromSalt(cv.salt, id));
  }
  if (id !== undefined && cv.pins.size > 0) {
    const pinned =
      typeof id === 'number' && Number.isSafeInteger(id)
        ? cv.numberPins.get(id)
        : cv.pins.get(String(id));
    if (pinned !== undefined) return pinned;
  }
  if (reason === 'RULE' && cv.ruleVariants.length > 0) {
    // The first rule that matches is the one evaluation stopped at.
    for (let i = 0; i < rules.length; i++) {
      if (ruleMatches(rules[i] as CompiledRule, user)) {
        const index = cv.ruleVariants[i] as number;
        if (index >= 0) return index;
        break;
      }
    }
  }
  if (id === undefined) return cv.noId;
  return variantIndexOf(cv.bounds, variantBucketFromSalt(cv.salt, id));
}

/**
 * The frozen result for an evaluation that ended with `reason`: for an "on" reason the
 * chosen variant's (see {@link chooseVariant}), for an "off" one the feature's off
 * result. Named loads per case rather than `results[reason]`: a keyed load with a
 * variable key is the slow path, and this runs on every `variant` call.
 */
export function variantResult(
  cv: CompiledVariants,
  rules: readonly CompiledRule[],
  user: User,
  id: string | number | undefined,
  reason: Reason,
): VariantResult {
  if (cv.list.length === 0) {
    switch (reason) {
      case 'ALL':
      case 'USER_LISTED':
      case 'GROUP':
      case 'RULE':
      case 'PERCENTAGE':
        return cv.on[reason];
      default:
        return offResult(cv, reason);
    }
  }
  // One call of chooseVariant, not one per reason: each call site would be inlined
  // on its own, and five copies keep `variant` from being inlined into its caller.
  const results =
    reason === 'ALL'
      ? cv.all
      : reason === 'USER_LISTED'
        ? cv.listed
        : reason === 'GROUP'
          ? cv.group
          : reason === 'RULE'
            ? cv.rule
            : reason === 'PERCENTAGE'
              ? cv.percentage
              : undefined;
  if (results === undefined) return offResult(cv, reason);
  return results[chooseVariant(cv, rules, user, id, reason)] as VariantResult;
}

/** The frozen result when the feature is off (or could not be evaluated) for `reason`. */
export function offResult(cv: CompiledVariants, reason: Reason): VariantResult {
  switch (reason) {
    case 'KILL_SWITCH':
      return cv.off.KILL_SWITCH;
    case 'USER_EXCLUDED':
      return cv.off.USER_EXCLUDED;
    case 'DEFAULT':
      return cv.off.DEFAULT;
    case 'NOT_READY':
      return UNKNOWN_RESULTS.NOT_READY;
    case 'FEATURE_NOT_FOUND':
      return UNKNOWN_RESULTS.FEATURE_NOT_FOUND;
    default:
      return cv.off.ERROR;
  }
}
