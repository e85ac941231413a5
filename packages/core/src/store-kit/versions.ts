import { ValidationError, VersionConflictError } from '../errors.js';

/**
 * Checks an `expectedVersion` argument of `put` or `remove`: a non-negative safe
 * integer. Throws ValidationError naming `field` otherwise, before anything reaches
 * the backend.
 */
export function checkExpectedVersion(value: unknown, field = 'expectedVersion'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, value, 'must be a non-negative integer');
  }
  return value;
}

/**
 * The VersionConflictError a store throws when a compare-and-set lost: `expected`
 * is the version the writer gave, `stored` what the backend holds (0 or undefined:
 * the feature does not exist; omit it when the backend cannot tell). The message
 * reads `[rollout] [store] feature "name" ...` in every store.
 */
export function versionConflict(
  store: string,
  name: string,
  expected: number,
  stored?: number,
): VersionConflictError {
  let state: string;
  if (stored === undefined) state = `is not at version ${expected}: another writer changed it`;
  else if (stored === 0) state = `does not exist (expected version ${expected})`;
  else if (expected === 0) state = `already exists (at version ${stored})`;
  else state = `is at version ${stored}, not ${expected}: another writer changed it`;
  return new VersionConflictError(
    name,
    `[rollout] [${store}] feature ${JSON.stringify(name)} ${state}`,
  );
}
