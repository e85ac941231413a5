import { randomUUID } from 'node:crypto';

/**
 * Anything with a typed `on(event, listener)` that returns an unsubscribe function:
 * a `Rollout` client, or any TypedEmitter. Kept structural so this file needs no
 * import of @rollout/core (core's own tests use it too, without a package cycle).
 */
export interface EventSource<Events> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
}

/**
 * Resolves with the first `event` from `source` that satisfies `accept`. Register
 * it BEFORE doing what should cause the event. No sleep: the test waits for the
 * real signal. `timeoutMs` is a hang guard (default 30 s), not a speed check.
 */
export function nextEvent<Events, K extends keyof Events>(
  source: EventSource<Events>,
  event: K,
  accept: (payload: Events[K]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<Events[K]> {
  return new Promise<Events[K]>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`event ${String(event)} not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = source.on(event, (payload) => {
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
