import {
  type FeatureInput,
  Rollout,
  type RolloutOptions,
  type User,
  type UserId,
  userIdOf,
} from '@rollout/core';
import { MemoryFeatureStore } from '@rollout/core/store';
import { type FlagState, featureFor } from './flag-state.js';

/** Options of {@link createTestRollout}. */
export interface TestRolloutOptions<U = User> {
  /** The flags and what they answer, e.g. `{ beta: true, color: { variant: 'red', value: '#f00' } }`. */
  flags?: Readonly<Record<string, FlagState>>;
  /** Per-user answers, by user id: `{ 42: { beta: false } }` (the flag must be in `flags` or is created off). */
  users?: Readonly<Record<string, Readonly<Record<string, FlagState>>>>;
  /** Maps your user type to rollout's `{ id, groups, ... }`, as `RolloutOptions.mapUser`. */
  mapUser?: RolloutOptions<U>['mapUser'];
}

/**
 * A `Rollout` over an in-memory store, for unit tests: every evaluation method is the
 * real one (same order, same reasons), and flags are set from plain states. Writes
 * resolve once the client answers with them. Uses no test-runner API.
 */
export class TestRollout<U = User> extends Rollout<U> {
  private readonly initial: TestRolloutOptions<U>;
  private readonly states = new Map<string, FlagState>();
  private readonly overrides = new Map<string, Map<UserId, FlagState>>();

  constructor(options: TestRolloutOptions<U> = {}) {
    super({ store: new MemoryFeatureStore({ name: 'test' }), mapUser: options.mapUser });
    this.initial = options;
  }

  /** Sets what `name` answers for everyone (user overrides stay). Creates the flag if needed. */
  async set(name: string, state: FlagState): Promise<void> {
    this.states.set(name, state);
    await this.write(name);
  }

  /** Sets what `name` answers for one user (object or id), over the flag's own state. */
  async setFor(user: U | UserId, name: string, state: FlagState): Promise<void> {
    const id = userIdOf(typeof user === 'object' && user !== null ? this.mapped(user as U) : user);
    this.override(id, name, state);
    await this.write(name);
  }

  /** Removes a flag (and its user overrides): it answers off, `FEATURE_NOT_FOUND`. */
  async unset(name: string): Promise<void> {
    this.states.delete(name);
    this.overrides.delete(name);
    await this.removeFeature(name);
  }

  /** Back to the flags and users given to {@link createTestRollout}; everything set since is gone. */
  async reset(): Promise<void> {
    for (const feature of this.snapshot()) await this.removeFeature(feature.name);
    this.states.clear();
    this.overrides.clear();
    for (const [name, state] of Object.entries(this.initial.flags ?? {}))
      this.states.set(name, state);
    for (const [id, flags] of Object.entries(this.initial.users ?? {})) {
      for (const [name, state] of Object.entries(flags)) this.override(id, name, state);
    }
    for (const name of this.states.keys()) await this.write(name);
  }

  /** The feature written for `name` now (for a test that wants to see it). */
  featureInput(name: string): FeatureInput | undefined {
    const state = this.states.get(name);
    return state === undefined ? undefined : featureFor(name, state, this.overrides.get(name));
  }

  // A user override of a flag not set yet makes the flag exist, off for everyone else.
  private override(id: UserId, name: string, state: FlagState): void {
    if (!this.states.has(name)) this.states.set(name, false);
    const forFlag = this.overrides.get(name) ?? new Map<UserId, FlagState>();
    forFlag.set(id, state);
    this.overrides.set(name, forFlag);
  }

  private async write(name: string): Promise<void> {
    const input = this.featureInput(name);
    if (input !== undefined) await this.addFeature(input, { replace: true });
  }

  private mapped(user: U): unknown {
    return this.initial.mapUser ? this.initial.mapUser(user) : user;
  }
}

/**
 * A ready {@link TestRollout} with `flags` (and per-user `users`) set:
 *
 * ```ts
 * const rollout = await createTestRollout({ flags: { beta: true, color: { variant: 'red', value: '#f00' } } });
 * rollout.can(user, 'beta'); // true
 * ```
 */
export async function createTestRollout<U = User>(
  options: TestRolloutOptions<U> = {},
): Promise<TestRollout<U>> {
  const rollout = new TestRollout<U>(options);
  await rollout.ready();
  await rollout.reset();
  return rollout;
}
