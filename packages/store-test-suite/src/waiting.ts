import { randomUUID } from 'node:crypto';

/**
 * Resolves with the first payload that `subscribe`'s listener receives and `accept`
 * takes; `subscribe` registers the listener and returns its off function, e.g.
 * `nextEmitted((l) => rollout.on('ready', l))`. Register it BEFORE doing what should
 * cause the event. No sleep: the test waits for the real signal. `timeoutMs` is a hang
 * guard (default 30 s), not a speed check. Imports nothing from @rollout/core, so
 * core's own tests use it too without a package cycle; store tests use `nextEvent`.
 */
export function nextEmitted<T>(
  subscribe: (listener: (payload: T) => void) => () => void,
  accept: (payload: T) => boolean = () => true,
  timeoutMs = 30_000,
  what = 'event',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what} not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/**
 * Polls `check` until it returns something truthy, and returns that. A check that
 * throws counts as not yet (its last error is quoted on time-out). Fails with
 * `what` after `timeoutMs`: a generous deadline for "eventually", not a speed check.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A name no other test uses: `label` plus a random suffix (valid as a key prefix or schema part). */
export function uniqueName(label: string): string {
  return `${label}-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}
