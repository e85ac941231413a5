/**
 * @rollout/testing: rollout flags for unit tests. `await createTestRollout({ flags })`
 * gives a ready `Rollout` over an in-memory store; `set`, `setFor`, `unset`, `reset`
 * change it. No test-runner imports: vitest, jest, node:test alike.
 */
export type { FlagState } from './flag-state.js';
export { featureFor } from './flag-state.js';
export { createTestRollout, TestRollout, type TestRolloutOptions } from './test-rollout.js';
