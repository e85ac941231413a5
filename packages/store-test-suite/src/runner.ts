import type { FeatureStore } from '@rollout/core';

/** The parts of a test runner the suite needs (vitest, jest and mocha all fit). */
export interface TestRunner {
  /** Groups tests. */
  describe: (name: string, body: () => void) => void;
  /** Declares one test; `timeout` in ms as a third argument, as vitest and jest take it. */
  it: (name: string, body: () => Promise<void>, timeout?: number) => void;
  /** Runs once after all tests of the enclosing group (used to close stray stores). */
  afterAll?: (body: () => Promise<void> | void) => void;
  // Runners also pass `expect`, `beforeAll`...; the suite uses node:assert and ignores them.
  [other: string]: unknown;
}

/** How the suite creates the store under test. */
export interface ConformanceOptions {
  /** Label shown in test names (`redis`, `file`, ...). */
  name: string;
  /**
   * The module that exports the store class: a file URL, an absolute path or a package
   * name. Child processes import it too, so point at built JavaScript (your `dist`).
   */
  module: string;
  /** The export holding the store class, e.g. `RedisStore`. */
  exportName: string;
  /**
   * Returns constructor options for a fresh, empty, isolated store (a unique key
   * prefix, schema or file). Called once per test. The result must be
   * JSON-serializable: child processes receive it to open the same store.
   */
  options: () => unknown | Promise<unknown>;
  /** Child processes in the multi-process group. Default 4. */
  processes?: number;
  /** Writes each child makes in the multi-process group. Default 20. */
  writesPerProcess?: number;
  /**
   * Calls per writer in the contention group (8 writers). Default 60; the environment
   * variable `ROLLOUT_CONTENTION_WRITES` wins (500 is the full scenario of the benchmark).
   */
  contentionWrites?: number;
  /** Per-test timeout in ms. Default 60000. */
  timeout?: number;
  /**
   * Cuts the push channel of `store` (drop its subscriber connection, stop its
   * watcher), runs `duringGap` (the suite writes through another handle), then lets
   * the channel come back, resolving once it is back. When given, the notification
   * group checks that subscribers get `resync()` after the gap. Stores whose
   * channel cannot be cut from outside leave it out; the case then passes unrun.
   */
  interruptPush?: (store: FeatureStore, duringGap: () => Promise<void>) => Promise<void>;
}
