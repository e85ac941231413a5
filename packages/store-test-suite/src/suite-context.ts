import type { FeatureStore } from '@rollout/core';
import { loadStoreClass, type StoreConstructor } from './open-store.js';
import type { ConformanceOptions, TestRunner } from './runner.js';

/** A test body: a fresh, connected, empty store and the options that open it again. */
export type StoreTest = (store: FeatureStore, options: unknown) => Promise<void>;

/**
 * What every group's tests share: the store class (imported once), fresh stores per
 * test, and the bookkeeping that closes every store a test opened, even when it fails.
 */
export class SuiteContext {
  /** Per-test timeout in ms. */
  readonly timeout: number;
  private readonly open = new Set<FeatureStore>();
  private storeClass: Promise<StoreConstructor> | undefined;
  // The group whose tests are being declared, for failure messages.
  private group = '';

  constructor(
    private readonly runner: TestRunner,
    readonly config: ConformanceOptions,
  ) {
    this.timeout = config.timeout ?? 60_000;
  }

  /** The class under test, imported from `config.module` on first use. */
  readonly klass = (): Promise<StoreConstructor> => {
    this.storeClass ??= loadStoreClass(this.config.module, this.config.exportName);
    return this.storeClass;
  };

  /** Opens and connects a store on `options`, tracked so it is closed even when a test fails. */
  async openStore(options: unknown): Promise<FeatureStore> {
    const Store = await this.klass();
    const store = new Store(options);
    this.open.add(store);
    await store.connect();
    return store;
  }

  /**
   * A second handle on the same backend data: another instance for shared backends
   * (`multiProcess`), the same instance for in-process ones.
   */
  readonly sibling = (store: FeatureStore, options: unknown): Promise<FeatureStore> =>
    store.capabilities.multiProcess ? this.openStore(options) : Promise.resolve(store);

  /**
   * Declares one test that runs `body` on a fresh store and closes whatever it opened
   * (`timeout` in ms, default the suite's).
   * Bound, like `sibling` and `klass`, so groups can destructure: `tests: ({ test }) => ...`.
   */
  readonly test = (name: string, body: StoreTest, timeout = this.timeout): void => {
    const label = `[${this.config.name} store conformance] ${this.group} > ${name}`;
    this.runner.it(
      name,
      async () => {
        const options = await this.config.options();
        try {
          await body(await this.openStore(options), options);
        } catch (error) {
          throw namedFailure(label, error);
        } finally {
          await this.closeAll();
        }
      },
      timeout,
    );
  };

  /**
   * Declares a case that does not apply to this store, as skipped with `reason` in its
   * name, through the runner's `it.skip`; a runner without `skip` gets no case at all,
   * so a case that did not run never shows as passed.
   */
  readonly skip = (name: string, reason: string): void => {
    const { it } = this.runner;
    // Called on `it`, as `it.skip(...)` would be: some runners build skip from `this`.
    if (typeof it.skip === 'function')
      it.skip.call(it, `${name} (skipped: ${reason})`, async () => {});
  };

  /** Declares `group`'s tests; their failures name the group and the case. */
  declare(group: ConformanceGroup): void {
    this.group = group.title;
    group.tests(this);
  }

  /** Closes every store still open, ignoring their errors (used after each test and in afterAll). */
  async closeAll(): Promise<void> {
    for (const store of [...this.open]) {
      this.open.delete(store);
      await store.close().catch(() => undefined);
    }
  }
}

/** One group of the suite: a title and the tests it declares. */
export interface ConformanceGroup {
  /** The group's describe title, e.g. `basic reads and writes`. */
  readonly title: string;
  /** Declares the group's tests through `suite.test`. */
  readonly tests: (suite: SuiteContext) => void;
}

/**
 * Registers `groups` under one `<name> store conformance` describe block that
 * shares one context and closes stray stores in `afterAll`.
 */
export function runGroups(
  runner: TestRunner,
  config: ConformanceOptions,
  groups: readonly ConformanceGroup[],
): void {
  const suite = new SuiteContext(runner, config);
  runner.describe(`${config.name} store conformance`, () => {
    runner.afterAll?.(() => suite.closeAll());
    for (const group of groups) runner.describe(group.title, () => suite.declare(group));
  });
}

// Failures read `[<store> store conformance] <group> > <case>: <what the store did>`,
// so a report that shows only the message still says which rule broke.
function namedFailure(label: string, error: unknown): unknown {
  if (!(error instanceof Error)) return new Error(`${label}: ${String(error)}`);
  if (!error.message.startsWith(label)) error.message = `${label}: ${error.message}`;
  return error;
}
