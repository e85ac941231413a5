import { randomUUID } from 'node:crypto';
import type { Rollout, RolloutEvents } from '@rollout/core';

/** A prefix no other test uses. */
export const uniquePrefix = (label: string) => `${label}-${randomUUID()}:`;

/**
 * Resolves with the first `event` from `rollout` that satisfies `accept`. Register
 * it BEFORE doing what should cause the event. Never a sleep: the test waits for
 * the real signal, and the test timeout is what fails it when the signal never comes.
 */
export function nextEvent<K extends keyof RolloutEvents>(
  rollout: Rollout,
  event: K,
  accept: (payload: RolloutEvents[K]) => boolean = () => true,
): Promise<RolloutEvents[K]> {
  return new Promise((resolve) => {
    const off = rollout.on(event, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}
