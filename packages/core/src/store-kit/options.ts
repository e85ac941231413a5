import { ValidationError } from '../errors.js';

/**
 * A store option that must be a positive finite number (a timeout, an interval):
 * `fallback` when undefined, ValidationError naming `field` otherwise.
 */
export function positiveNumber(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, value, 'must be a positive number');
  }
  return value;
}

/** Like {@link positiveNumber}, for counts (pool sizes, attempts): a positive safe integer. */
export function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(field, value, 'must be a positive integer');
  }
  return value;
}
