/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/**
 * A retry delay with full jitter: a random time up to `min(cap, base * 2^attempt)` ms.
 * Jitter keeps writers that collided once from colliding again in lockstep.
 */
export function jitteredBackoff(attempt: number, base = 1, cap = 100): number {
  return Math.random() * Math.min(cap, base * 2 ** Math.min(attempt, 30));
}
