/**
 * @rollout/store-test-suite: the conformance suite every rollout store runs.
 * Give it your runner's functions and how to open your store; see runStoreConformance.
 */
export { runStoreConformance } from './conformance.js';
export { HOSTILE_NAMES, makeFeature, richFeature } from './fixtures.js';
export { nextEvent } from './next-event.js';
export { loadStoreClass, type StoreConstructor } from './open-store.js';
export type { ConformanceOptions, TestRunner } from './runner.js';
export { nextEmitted, uniqueName, waitFor } from './waiting.js';
