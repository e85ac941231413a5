import { ValidationError } from '../errors.js';

// Control characters (C0, DEL, C1) and lone surrogates are never allowed in names or ids:
// they break terminals, logs and memcache keys, and cannot round-trip through UTF-8.
export const FORBIDDEN_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Checks a name-like string: non-empty, at most `max` characters, printable, no surrounding white space. */
export function checkText(field: string, value: unknown, max: number, what: string): string {
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

/** Checks that `value` is an array of at most `max` entries (the entries are checked by the caller). */
export function checkList<T>(field: string, value: unknown, max: number): readonly T[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'must be an array');
  if (value.length > max) {
    throw new ValidationError(field, value, `holds ${value.length} entries; the limit is ${max}`);
  }
  return value as readonly T[];
}
