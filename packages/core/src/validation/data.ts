import { ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { JsonObject, JsonValue } from '../model.js';

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
  return normalizeJsonValue(value, field, LIMITS.dataBytes) as JsonObject;
}

/**
 * Validates any JSON value (a variant's value, an `offValue`): plain JSON, nested at
 * most `LIMITS.dataDepth` deep, at most `maxBytes` as UTF-8 JSON text. Returns a clean copy.
 */
export function normalizeJsonValue(value: unknown, field: string, maxBytes: number): JsonValue {
  const json = checkJson(value, field, 0);
  const size = jsonBytes(json);
  if (size > maxBytes) {
    throw new ValidationError(field, value, `is ${size} bytes as JSON; the limit is ${maxBytes}`);
  }
  return json;
}

/** The size of a JSON value as UTF-8 JSON text. */
export function jsonBytes(value: JsonValue): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
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
