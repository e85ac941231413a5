/** A JSON value, as stored in a feature's free-form `data`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** A user id as callers give it. Numbers are stored as their decimal string. */
export type UserId = string | number;

/**
 * The default user shape: an `id`, optional `groups`, and any other attributes
 * that attribute rules may read. Pass `mapUser` to the client to use another shape.
 */
export interface User {
  /** The user's id; users without one are never in a percentage and never on a list. */
  id?: UserId | null;
  /** Groups the user belongs to (data groups), matched against a feature's `groups`. */
  groups?: readonly string[];
  /** Any other attribute, read by attribute rules (`country`, `plan`, `appVersion`, ...). */
  [attribute: string]: unknown;
}

/** Group that opens a feature to every user. */
export const GROUP_ALL = 'ALL';
/** Group that closes a feature to every user (the kill switch); it wins over everything. */
export const GROUP_NONE = 'NONE';

/** Operators an attribute condition can use. */
export type Operator =
  | 'eq'
  | 'neq'
  | 'in'
  | 'notIn'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'semverEq'
  | 'semverLt'
  | 'semverLte'
  | 'semverGt'
  | 'semverGte'
  | 'before'
  | 'after';

/** Every operator, in documentation order. */
export const OPERATORS: readonly Operator[] = [
  'eq',
  'neq',
  'in',
  'notIn',
  'lt',
  'lte',
  'gt',
  'gte',
  'contains',
  'startsWith',
  'endsWith',
  'semverEq',
  'semverLt',
  'semverLte',
  'semverGt',
  'semverGte',
  'before',
  'after',
];

/** A value a condition compares against. */
export type ConditionValue = string | number | boolean;

/**
 * One test of one user attribute. `eq`/`in` hold when the attribute equals any
 * value; `neq`/`notIn` when it equals none; `contains`/`startsWith`/`endsWith`
 * when the string attribute matches any value; `lt`..`gte`, `semver*`,
 * `before`/`after` compare against the single value given. A missing attribute
 * never matches (not even `neq`).
 */
export interface Condition {
  /** The user attribute to read (own property of the user object only). */
  attribute: string;
  /** How to compare. */
  operator: Operator;
  /** What to compare against; operators that compare to one value take exactly one. */
  values: ConditionValue[];
}

/** A rule opens the feature when all of its conditions hold. Any rule may open it. */
export interface Rule {
  /** Conditions that must all hold. */
  conditions: Condition[];
  /** The variant users this rule lets in get (must name one of the feature's variants). */
  variant?: string;
}

/** A rule as given to `addFeature`: a full rule, or one condition (optionally with a `variant`) as shorthand. */
export type RuleInput = Rule | (Condition & { variant?: string });

/**
 * One value a feature can serve. Among the users the feature is on for, a variant
 * bucket (see `variant-bucket.ts`) gives each variant `weight` percent of them.
 */
export interface Variant {
  /** Unique among the feature's variants; the same rules as feature names. */
  name: string;
  /** What `rollout.value` returns to users who get this variant: any JSON value within LIMITS. */
  value: JsonValue;
  /** Share of the users the feature is on for, 0 to 100 in steps of 0.001; a feature's weights sum to 100. */
  weight: number;
}

/** A listed user pinned to a variant: the user gets it whenever the feature is on for them. */
export interface UserVariant {
  /** The user id, as stored (a string). */
  user: string;
  /** One of the feature's variant names. */
  variant: string;
}

/**
 * A stored feature. Everything is normalized: user ids are strings, lists are
 * sorted and without duplicates, the percentage is rounded to 0.001.
 */
export interface Feature {
  /** Unique name (see LIMITS for what is allowed). */
  name: string;
  /** Free text for humans. */
  description: string;
  /** Groups that get the feature; `ALL` opens it to everyone, `NONE` closes it to everyone. */
  groups: string[];
  /** User ids that get the feature. */
  users: string[];
  /** User ids that never get it (the deny list); wins over everything but `NONE`. */
  excludedUsers: string[];
  /** Percentage of users (by id bucket) that get the feature, 0 to 100 in steps of 0.001. */
  percentage: number;
  /** Attribute rules; any rule whose conditions all hold opens the feature. */
  rules: Rule[];
  /** Free-form JSON data for the application (variant payloads, owners, links). */
  data: JsonObject;
  /** Which bucketing hash decides the percentage (see `bucketOf`). */
  hashVersion: number;
  /**
   * The values the feature serves, with their weights (1 to 100 of them, summing to
   * 100). Absent on a plain on/off feature.
   */
  variants?: Variant[];
  /** The value for users the feature is off for (any JSON value, `null` included). Absent: none. */
  offValue?: JsonValue;
  /**
   * Users pinned to a variant, sorted by user id, one entry per user. An array of
   * pairs rather than an object keyed by id, so an id such as `__proto__` stays data.
   * Absent when no user is pinned.
   */
  userVariants?: UserVariant[];
  /** When the feature was created (ISO 8601). */
  createdAt: string;
  /** When the feature last changed (ISO 8601). */
  updatedAt: string;
  /**
   * Write version, set by the store: 1 on create, +1 on every write. Compare-and-set
   * writes name the version they read.
   */
  version: number;
}

/** The fields a caller sets (everything but the name and bookkeeping), in canonical order. */
export const FEATURE_CONTENT_FIELDS = [
  'description',
  'groups',
  'users',
  'excludedUsers',
  'percentage',
  'rules',
  'data',
  'hashVersion',
  'variants',
  'offValue',
  'userVariants',
] as const satisfies readonly (keyof Feature)[];

/** One of {@link FEATURE_CONTENT_FIELDS}. */
export type FeatureContentField = (typeof FEATURE_CONTENT_FIELDS)[number];

/** What `addFeature` accepts: a name plus any of the feature's fields. */
export interface FeatureInput {
  /** The feature's name. */
  name: string;
  description?: string;
  groups?: readonly string[];
  users?: readonly UserId[];
  excludedUsers?: readonly UserId[];
  percentage?: number;
  rules?: readonly RuleInput[];
  data?: JsonObject;
  hashVersion?: number;
  /** The feature's variants; an empty list means none. */
  variants?: readonly Variant[];
  /** The value for users the feature is off for. */
  offValue?: JsonValue;
  /** Users pinned to a variant. */
  userVariants?: readonly UserVariant[];
}

/** The fields `updateFeature` may change (everything but the name and bookkeeping). */
export type FeaturePatch = Omit<FeatureInput, 'name'>;
