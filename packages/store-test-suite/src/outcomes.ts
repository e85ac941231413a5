import assert from 'node:assert/strict';
import { isRolloutError, type RolloutErrorCode } from '@rollout/core';

// A member that hangs fails with a clear message well before the test's timeout.
export const HANG_MS = 10_000;

/** How a call ended. */
export type Outcome = { resolved: unknown } | { rejected: unknown } | { hung: true };

/** An error as a failure message quotes it: name, code and message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${code === undefined ? '' : ` (code ${String(code)})`}: ${error.message}`;
}

/** A value as a failure message quotes it: short JSON. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Calls `call` and says how it ended; a synchronous throw is an assertion failure of its own. */
export async function settle(what: string, call: () => Promise<unknown>): Promise<Outcome> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    assert.fail(
      `${what} threw synchronously (${describeError(error)}); it must return a rejected promise`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), HANG_MS);
  });
  try {
    return await Promise.race([
      pending.then(
        (resolved): Outcome => ({ resolved }),
        (rejected: unknown): Outcome => ({ rejected }),
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asserts that `call` rejects with a rollout error of `code`, recognised by its
 * code (`isRolloutError`), never `instanceof`: a store built against another copy
 * of `@rollout/core` passes. The failure says what the store did instead, and
 * `why` (what the rule protects). Returns the error.
 */
export async function rejectsWithCode(
  what: string,
  call: () => Promise<unknown>,
  code: RolloutErrorCode,
  why = '',
): Promise<Error> {
  const outcome = await settle(what, call);
  const tail = why ? ` (${why})` : '';
  if ('hung' in outcome) assert.fail(`${what} neither resolved nor rejected within ${HANG_MS} ms`);
  if ('resolved' in outcome) {
    assert.fail(
      `${what} resolved with ${describeValue(outcome.resolved)}; it must reject with code ${code}${tail}`,
    );
  }
  if (!isRolloutError(outcome.rejected, code)) {
    assert.fail(
      `${what} rejected with ${describeError(outcome.rejected)}; expected code ${code}${tail}`,
    );
  }
  return outcome.rejected;
}
