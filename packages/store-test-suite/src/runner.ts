import type { FeatureStore } from '@rollout/core';

/** Declares one test; `timeout` in ms as a third argument, as vitest and jest take it. */
export type TestFunction = (name: string, body: () => Promise<void>, timeout?: number) => void;

/** The parts of a test runner the suite needs (vitest, jest and mocha all fit). */
export interface TestRunner {
  /** Groups tests. */
  describe: (name: string, body: () => void) => void;
  /**
   * Declares one test. Its `skip` (vitest, jest and mocha have one) reports a case that
   * does not apply as skipped; without it such a case is not declared at all.
   */
  it: TestFunction & { skip?: TestFunction };
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
   * Cuts the push channel of `store` from outside, as a production fault would (kill
   * its subscriber connection on the server, replace the directory it watches), runs
   * `duringGap` (the suite writes through another handle) while the channel is still
   * down, then lets the channel come back, resolving once it is back (or once the
   * store can bring it back by itself). The notification group then checks that
   * subscribers get `resync()` and the write made in the gap is readable.
   *
   * Required for a store that declares `push: true`, unless {@link noPushGap} says why
   * its channel cannot have a gap: with neither, that case fails and says so.
   */
  interruptPush?: (store: FeatureStore, duringGap: () => Promise<void>) => Promise<void>;
  /**
   * Why the store's push channel can never have a gap, for stores that push in-process
   * (subscribers are called directly, there is no connection or watch to lose), e.g.
   * `'in-process: subscribers are called directly'`. The resync-after-a-gap case is
   * then reported skipped, with this reason in its name (not declared when the
   * runner's `it` has no `skip`). Never give it to silence a store that can lose its
   * channel: give {@link interruptPush}.
   */
  noPushGap?: string;
}
