import type { User } from '@rollout/core';

/** An OpenFeature / OFREP evaluation context: `targetingKey` plus any attributes. */
export type EvaluationContextInput = Readonly<Record<string, unknown>>;

/** A context that cannot become a user (e.g. `groups` that is not a list of strings). */
export class InvalidContextError extends Error {
  /** OpenFeature's error code for it. */
  readonly code = 'INVALID_CONTEXT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidContextError';
  }
}

/**
 * Maps an evaluation context onto rollout's user: `targetingKey` becomes the user
 * id, `groups` the user's groups, every other key an attribute that rules read.
 * A context without `targetingKey` is a user without an id (never on a list, never
 * in a percentage; `ALL`, groups and rules still apply). A key named `id` is
 * ignored: the id comes from `targetingKey` only, so an attribute cannot pose as one.
 * Throws InvalidContextError when `targetingKey` is not a string or `groups` is not
 * a list of strings.
 */
export function userFromContext(context: EvaluationContextInput | undefined): User {
  // A null prototype: a `__proto__` key in JSON stays a plain attribute and can
  // neither replace the user's prototype nor lend it inherited `groups`.
  const user = Object.create(null) as User;
  if (context === undefined || context === null) return user;
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new InvalidContextError('the evaluation context must be an object');
  }
  for (const key of Object.keys(context)) {
    const value = context[key];
    if (key === 'targetingKey') {
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string') {
        throw new InvalidContextError(`targetingKey must be a string, got ${typeof value}`);
      }
      user.id = value;
    } else if (key === 'groups') {
      if (value === undefined || value === null) continue;
      if (!Array.isArray(value) || !value.every((g) => typeof g === 'string')) {
        throw new InvalidContextError('groups must be a list of strings');
      }
      user.groups = value;
    } else if (key !== 'id') {
      user[key] = value;
    }
  }
  return user;
}
