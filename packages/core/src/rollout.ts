import { type AllFlagsOptions, allFlags, type FlagAnswers } from './client/all-flags.js';
import { assembleClient } from './client/assemble.js';
import type { ChangeHistory, HistoryPageOptions } from './client/change-history.js';
import type { Evaluator } from './client/evaluator.js';
import type { RolloutEvents, RolloutStatus } from './client/events.js';
import type { Explanation } from './client/explain.js';
import type { FeatureWriter } from './client/feature-writer.js';
import { byName, type LocalSnapshot } from './client/local-snapshot.js';
import type { RolloutOptions, UpdateOptions } from './client/options.js';
import type { SyncLoop } from './client/sync-loop.js';
import { TypedEmitter } from './emitter.js';
import { ValidationError } from './errors.js';
import type { FlagName, FlagValueOf, FlagVariantResult, Widened } from './flag-types.js';
import type { Feature, FeatureInput, FeaturePatch, JsonValue, User, Variant } from './model.js';
import type { FeatureStore, HistoryEntry } from './store.js';
import type { WriteOptions } from './validation/history.js';
import { validateFeatureName } from './validation.js';

export type { AllFlagsOptions, FlagAnswers } from './client/all-flags.js';
export type { HistoryPageOptions } from './client/change-history.js';
export type { FeatureChangeEvent, RolloutEvents, RolloutStatus } from './client/events.js';
export type { Explanation } from './client/explain.js';
export type { RolloutOptions, UpdateOptions } from './client/options.js';
export type { VariantResult } from './variant-evaluate.js';

/**
 * The rollout client. Evaluation (`can`, `explain`) is synchronous, never throws
 * and never does I/O: it reads a local snapshot that the client keeps fresh
 * (pushed changes where the store can, polling otherwise). Mutations are atomic
 * compare-and-set writes through the store, visible to this client as soon as
 * they resolve; each takes `{ actor?, note? }` last, kept in the store's history.
 *
 * A facade over parts in `client/` that each own their state (snapshot, sync loop,
 * writer, evaluator, history), wired by `client/assemble.ts`.
 */
export class Rollout<U = User> extends TypedEmitter<RolloutEvents> {
  /** The store this client reads and writes. */
  readonly store: FeatureStore;
  private readonly closeStore: boolean;
  private readonly local: LocalSnapshot;
  private readonly sync: SyncLoop;
  private readonly writer: FeatureWriter;
  private readonly evaluator: Evaluator<U>;
  private readonly changes: ChangeHistory;

  constructor(options: RolloutOptions<U>) {
    super();
    if (!options || typeof options.store !== 'object' || options.store === null) {
      throw new ValidationError(
        'store',
        options?.store,
        'Rollout needs a store, e.g. new Rollout({ store: new MemoryStore() })',
      );
    }
    this.store = options.store;
    this.closeStore = options.closeStore ?? true;
    ({
      local: this.local,
      sync: this.sync,
      writer: this.writer,
      evaluator: this.evaluator,
      changes: this.changes,
    } = assembleClient(options, (event, payload) => this.emit(event, payload)));
  }

  /** Where the client stands: `starting`, `ready`, `stale` (serving the last snapshot) or `closed`. */
  get status(): RolloutStatus {
    return this.sync.status;
  }

  /** The revision of the local snapshot (-1 before the first load). */
  get revision(): number {
    return this.local.revision;
  }

  /** True once the first snapshot loaded. */
  get isReady(): boolean {
    return this.sync.isReady;
  }

  /** Resolves once the first snapshot loaded; rejects if that load fails (retries go on; a later call waits for the next). */
  ready(): Promise<void> {
    return this.sync.ready();
  }

  /**
   * Whether `user` gets feature `name`. Synchronous, never throws, no I/O.
   * Unknown features are off. Before `ready()` resolved it answers false and emits
   * one `NotReadyError` through `error`; `explain` then says `NOT_READY`.
   */
  can(user: U, name: FlagName): boolean {
    return this.evaluator.can(user, name);
  }

  /** Like `can`, with the step that decided and what the client knew. Synchronous, never throws. */
  explain(user: U, name: FlagName): Explanation {
    return this.evaluator.explain(user, name);
  }

  /** `can` plus the variant and its value (`offValue` when off). Never throws; the result is shared and frozen. */
  variant<N extends FlagName>(user: U, name: N): FlagVariantResult<N> {
    return this.evaluator.variant(user, name) as FlagVariantResult<N>;
  }

  /** Every flag's `variant` answer for `user` (or only `names`), keyed by name: JSON to embed in a page. */
  allFlags(user: U, options?: AllFlagsOptions): FlagAnswers {
    return allFlags(this.evaluator, this.local, user, options);
  }

  /** The variant's value (on) or `offValue` (off), or `fallback` when unset or of another JSON type. */
  value<T extends FlagValueOf<N>, N extends FlagName = FlagName>(
    user: U,
    name: N,
    fallback: T,
  ): Widened<T> {
    return this.evaluator.value(user, name, fallback as JsonValue) as Widened<T>;
  }

  /**
   * Defines a group in code (rollout-gem style): users for whom `predicate` returns
   * true are in the group. A predicate that throws counts as false and is reported
   * through `error`. Redefining a group replaces its predicate.
   */
  defineGroup(name: string, predicate: (user: User) => boolean): void {
    this.evaluator.defineGroup(name, predicate);
  }

  /** Names of the groups defined in code. */
  definedGroups(): string[] {
    return this.evaluator.definedGroups();
  }

  /** The locally known features (from the snapshot), sorted by name. No I/O. */
  snapshot(): Feature[] {
    return this.local.features();
  }

  /** Reads one feature from the store (fresh, not the snapshot); undefined when it does not exist. */
  async getFeature(name: string): Promise<Feature | undefined> {
    this.sync.assertOpen();
    return this.store.get(validateFeatureName(name));
  }

  /** Reads every feature from the store (fresh), sorted by name. */
  async features(): Promise<Feature[]> {
    this.sync.assertOpen();
    const snap = await this.store.snapshot();
    return [...snap.features].sort(byName);
  }

  /**
   * Creates a feature. Throws FeatureExistsError if it exists, unless
   * `{ replace: true }`, which overwrites it atomically (keeping `createdAt`).
   */
  async addFeature(
    input: FeatureInput,
    options: WriteOptions & { replace?: boolean } = {},
  ): Promise<Feature> {
    const { replace, ...write } = options ?? {};
    return this.writer.add(input, Boolean(replace), write);
  }

  /**
   * Changes any of a feature's fields atomically. Throws FeatureNotFoundError if it
   * does not exist. With `{ expectedVersion }` it writes only if the stored feature is
   * still at that version (a read-edit-save that must not overwrite someone else's
   * change), and throws VersionConflictError otherwise.
   */
  updateFeature(name: string, patch: FeaturePatch, options?: UpdateOptions): Promise<Feature> {
    return this.writer.update(name, patch, options);
  }

  /** Removes a feature. Resolves to false when it did not exist. */
  removeFeature(name: string, options?: WriteOptions): Promise<boolean> {
    return this.writer.remove(name, options);
  }

  /** Turns the feature on for everyone (adds group ALL, removes NONE). Creates the feature if needed. */
  activate(name: string, options?: WriteOptions): Promise<Feature> {
    return this.writer.activate(name, options);
  }

  /** Turns the feature off for everyone (gem's `deactivate`): clears groups, users, percentage, rules; keeps the rest. */
  deactivate(name: string, options?: WriteOptions): Promise<Feature> {
    return this.writer.deactivate(name, options);
  }

  /** Adds a user (object or id) to the feature's list, pinned to `options.variant` if given. Creates the feature if needed. */
  activateUser(
    name: string,
    userOrId: U | string | number,
    options?: WriteOptions & { variant?: string },
  ): Promise<Feature> {
    return this.writer.setUser(name, 'users', userOrId, true, options);
  }

  /** Removes a user (and their variant pin) from the feature's list. */
  deactivateUser(
    name: string,
    userOrId: U | string | number,
    options?: WriteOptions,
  ): Promise<Feature> {
    return this.writer.setUser(name, 'users', userOrId, false, options);
  }

  /** Puts a user on the feature's deny list: the user never gets it (unless removed again). */
  excludeUser(
    name: string,
    userOrId: U | string | number,
    options?: WriteOptions,
  ): Promise<Feature> {
    return this.writer.setUser(name, 'excludedUsers', userOrId, true, options);
  }

  /** Takes a user off the feature's deny list. */
  includeUser(
    name: string,
    userOrId: U | string | number,
    options?: WriteOptions,
  ): Promise<Feature> {
    return this.writer.setUser(name, 'excludedUsers', userOrId, false, options);
  }

  /** Opens the feature to a group (`ALL`, `NONE`, a data group or a code group). */
  activateGroup(name: string, group: string, options?: WriteOptions): Promise<Feature> {
    return this.writer.setGroup(name, group, true, options);
  }

  /** Removes a group from the feature. */
  deactivateGroup(name: string, group: string, options?: WriteOptions): Promise<Feature> {
    return this.writer.setGroup(name, group, false, options);
  }

  /** Sets the percentage (0 to 100, step 0.001). Raising it only adds users. */
  activatePercentage(name: string, percentage: number, options?: WriteOptions): Promise<Feature> {
    return this.writer.setPercentage(name, percentage, options);
  }

  /** Sets the percentage to 0. */
  deactivatePercentage(name: string, options?: WriteOptions): Promise<Feature> {
    return this.writer.setPercentage(name, 0, options);
  }

  /**
   * The store's change history, newest first: one feature's (`name`) or all. Pages with
   * `before` (the last entry's `revision`). Rejects with HistoryUnsupportedError
   * (code `HISTORY_UNSUPPORTED`, naming the store) when the store keeps none.
   */
  history(name?: string, options?: HistoryPageOptions): Promise<HistoryEntry[]> {
    return this.changes.list(name, options);
  }

  /**
   * Writes version `version` of a feature (from history) back as a new version,
   * recording a `restore` entry; brings a removed feature back.
   */
  restore(name: string, version: number, options?: WriteOptions): Promise<Feature> {
    return this.changes.restore(name, version, options);
  }

  /** Replaces the variants (weights summing to 100) and, if given, the offValue. Creates the feature if needed. */
  setVariants(
    name: string,
    variants: readonly Variant[],
    options: WriteOptions & { offValue?: JsonValue } = {},
  ): Promise<Feature> {
    return this.writer.setVariants(name, variants, options);
  }

  /** Removes the variants, the users' pins and the rules' variant names (the offValue stays). */
  clearVariants(name: string, options?: WriteOptions): Promise<Feature> {
    return this.writer.clearVariants(name, options);
  }

  /** Sets the value users get where the feature is off; undefined removes it. */
  setOffValue(name: string, value: JsonValue | undefined, opts?: WriteOptions): Promise<Feature> {
    return this.writer.setOffValue(name, value, opts);
  }

  /**
   * Stops refreshing, unsubscribes and (unless `closeStore: false`) closes the
   * store. Evaluation keeps answering from the last snapshot; writes throw ClosedError.
   */
  async close(): Promise<void> {
    if (this.sync.closed) return;
    await this.sync.close();
    if (this.closeStore) await this.store.close();
  }

  /** Reloads the whole snapshot from the store now; rejects (and marks the client stale) when it cannot be read. */
  async refresh(): Promise<void> {
    this.sync.assertOpen();
    await this.sync.refresh();
  }
}
