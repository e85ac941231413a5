import { ValidationError } from '@rollout/core';
import type { Context } from 'hono';

/**
 * Reads a JSON object body (size already bounded). Bad JSON or anything but an
 * object is a ValidationError on `body` (400 INVALID_INPUT). `__proto__` keys
 * stay plain own keys (JSON.parse does not set prototypes), which core then
 * refuses as unknown fields.
 */
export async function readObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid JSON';
    throw new ValidationError('body', text.slice(0, 40), `is not JSON (${reason})`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body', body, 'must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Takes `key` out of `body`: what is left is the fields to write. */
export function take(body: Record<string, unknown>, key: string): unknown {
  if (!Object.hasOwn(body, key)) return undefined;
  const value = body[key];
  delete body[key];
  return value;
}

/** An optional `note` (why the change was made), kept with the write where history is recorded. */
export function noteOf(body: Record<string, unknown>): string | undefined {
  const note = take(body, 'note');
  if (note === undefined) return undefined;
  if (typeof note !== 'string' || note.length > 1000) {
    throw new ValidationError('note', note, 'must be a string of at most 1000 characters');
  }
  return note;
}

/** A version from a body or query: a positive integer. */
export function versionOf(field: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new ValidationError(field, value, 'must be a positive integer (a feature version)');
  }
  return n;
}
