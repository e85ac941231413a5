import type { JsonObject, JsonValue, User } from '@rollout/core';
import { usageError } from './cli-error.js';

/**
 * Parses a percentage given on the command line: a number from 0 to 100 with at
 * most three decimals (rollout's resolution), optionally followed by `%`.
 */
export function parsePercentage(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw usageError(
      `invalid percentage ${JSON.stringify(text)}: give a number from 0 to 100, e.g. 20 or 12.5`,
    );
  }
  if (Math.round(value * 1000) / 1000 !== value) {
    throw usageError(
      `invalid percentage ${JSON.stringify(text)}: rollout's resolution is 0.001 %, use at most three decimals`,
    );
  }
  return value;
}

/** Parses a JSON object argument (`--data '{"owner":"team-a"}'`). */
export function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(
      `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      `quote it for your shell, e.g. ${what} '{"owner":"team-a"}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`${what} must be a JSON object, e.g. '{"owner":"team-a"}'`);
  }
  return value as JsonObject;
}

/** Parses any JSON value argument (`--value red='"#f00"'`, `--off-value 0`). */
export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw usageError(
      `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      `a string needs JSON quotes, inside your shell's: '"#f00"'`,
    );
  }
}

/** Parses a JSON array argument (`--rules '[...]'`). */
export function parseJsonArray(text: string, what: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(
      `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(value)) throw usageError(`${what} must be a JSON array`);
  return value;
}

/**
 * Parses the user of `explain`: a JSON object (`'{"id":42,"groups":["vip"]}'`)
 * or a plain id (`42`, `alice`).
 */
export function parseUser(text: string): User {
  if (text.trimStart().startsWith('{')) {
    const user = parseJsonObject(text, 'the user') as User;
    return user;
  }
  if (text === '') throw usageError('the user id is empty');
  return { id: text };
}

/** Splits a comma-separated list option (`--users 1,2,3`), dropping empty entries. */
export function splitList(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Parses `--timeout` seconds (0 waits forever). */
export function parseSeconds(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value)) {
    throw usageError(`invalid ${what} ${JSON.stringify(text)}: give a number of seconds`);
  }
  return value;
}

/** A positive integer argument (`--limit 20`, a version); a usage error naming `what` otherwise. */
export function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw usageError(`${what} must be a positive integer, not ${JSON.stringify(text)}`);
  }
  return n;
}
