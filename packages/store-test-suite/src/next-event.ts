import type { RolloutEvents, TypedEmitter } from '@rollout/core';
import { nextEmitted } from './waiting.js';

/**
 * Resolves with the first `event` from a `Rollout` client that satisfies `accept`,
 * typed by the event (`nextEvent(rollout, 'change', (c) => c.name === 'beta')`).
 * Register it BEFORE doing what should cause the event; `timeoutMs` (default 30 s)
 * is a hang guard, not a speed check.
 */
export function nextEvent<K extends keyof RolloutEvents>(
  rollout: Pick<TypedEmitter<RolloutEvents>, 'on'>,
  event: K,
  accept: (payload: RolloutEvents[K]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<RolloutEvents[K]> {
  return nextEmitted<RolloutEvents[K]>(
    (listener) => rollout.on(event, listener),
    accept,
    timeoutMs,
    `event ${String(event)}`,
  );
}
