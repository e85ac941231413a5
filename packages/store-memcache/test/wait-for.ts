import type { Rollout, RolloutEvents } from '@rollout/core';

/**
 * Resolves with the first `event` from `rollout` that satisfies `accept`. No timer:
 * the test's own timeout fails a test whose event never comes.
 */
export function nextEvent<K extends keyof RolloutEvents>(
  rollout: Rollout,
  event: K,
  accept: (payload: RolloutEvents[K]) => boolean = () => true,
): Promise<RolloutEvents[K]> {
  return new Promise((resolve) => {
    const listener = (payload: RolloutEvents[K]) => {
      if (!accept(payload)) return;
      rollout.off(event, listener);
      resolve(payload);
    };
    rollout.on(event, listener);
  });
}

/** Polls `check` every 20 ms until it returns true (bounded by the test timeout). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}
