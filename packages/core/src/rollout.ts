import { Evaluator } from './client/evaluator.js';
import type { Emit, RolloutEvents, RolloutStatus } from './client/events.js';
import type { Explanation } from './client/explain.js';
import { FeatureWriter } from './client/feature-writer.js';
import { byName, LocalSnapshot } from './client/local-snapshot.js';
import { SyncLoop } from './client/sync-loop.js';
import { TypedEmitter } from './emitter.js';
import { ValidationError } from './errors.js';
import type { Feature, FeatureInput, FeaturePatch, User } from './model.js';
import type { FeatureStore } from './store.js';
import { userIdOf, validateFeatureName } from './validation.js';

export type { FeatureChangeEvent, RolloutEvents, RolloutStatus } from './client/events.js';
export type { Explanation } from './client/explain.js';

/** Options of {@link Rollout.updateFeature}. */
export interface UpdateOptions {
  /** Write only if the stored feature is at this version; VersionConflictError otherwise. */
  expectedVersion?: number;
}

/** Options of {@link Rollout}. */
export interface RolloutOptions<U = User> {
  /** Where features live. */
  store: FeatureStore;
  /** Maps your user shape to `{ id, groups, ...attributes }`. Default: the user is used as is. */
  mapUser?: (user: U) => User;
  /** How often to poll the store's revision, in ms. Default: the store's `capabilities.pollIntervalMs`. */
  pollInterval?: number;
  /** Longest wait between reconnection attempts while the store is unavailable, in ms. Default 5000. */
  maxBackoff?: number;
  /** Compare-and-set attempts per mutation. Default 100. */
  writeAttempts?: number;
  /** Close the store when the client closes. Default true. */
  closeStore?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * The rollout client. Evaluation (`can`, `explain`) is synchronous, never throws
 * and never does I/O: it reads a local snapshot that the client keeps fresh
 * (pushed changes where the store can, polling otherwise). Mutations are atomic
 * compare-and-set writes through the store, visible to this client as soon as
 * they resolve.
 *
 * A facade over parts that each own their state and meet through narrow interfaces:
 * the local snapshot (`client/local-snapshot.ts`), the sync loop that keeps it fresh
 * (`client/sync-loop.ts`), the writer of every mutation (`client/feature-writer.ts`)
 * and the evaluator with the user mapping and code groups (`client/evaluator.ts`).
 */
export class Rollout<U = User> extends TypedEmitter<RolloutEvents> {
  /** The store this client reads and writes. */
  readonly store: FeatureStore;
  private readonly closeStore: boolean;
  private readonly local: LocalSnapshot;
  private readonly sync: SyncLoop;
  private readonly writer: FeatureWriter;
  private readonly evaluator: Evaluator<U>;

  constructor(options: RolloutOptions<U>) {
    super();
    if (!options || typeof options.store !== 'object' || options.store === null) {
      throw new ValidationError(
        'store',
        options?.store,
        'Rollout needs a store, e.g. new Rollout({ store: new MemoryStore() })',
      );
    }
    const store = options.store;
    const now = options.now ?? (() => new Date());
    const emit: Emit = (event, payload) => this.emit(event, payload);
    this.store = store;
    this.closeStore = options.closeStore ?? true;
    this.local = new LocalSnapshot((change) => emit('change', change));
    // The loop starts at once (connect, subscribe, first load); the writer asks it whether the client is closed.
    this.sync = new SyncLoop({
      store,
      snapshot: this.local,
      emit,
      pollInterval: options.pollInterval ?? store.capabilities.pollIntervalMs,
      maxBackoff: options.maxBackoff ?? 5000,
      now,
    });
    this.writer = new FeatureWriter({
      store,
      snapshot: this.local,
      lifecycle: this.sync,
      userId: (userOrId) => userIdOf(this.evaluator.userForId(userOrId)),
      writeAttempts: options.writeAttempts ?? 100,
      now,
    });
    this.evaluator = new Evaluator({
      snapshot: this.local,
      sync: this.sync,
      emit,
      mapUser: options.mapUser,
    });
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

  /**
   * Resolves once the first snapshot is loaded. Rejects if that load fails; the
   * client keeps retrying in the background, and a later `ready()` waits for the
   * next attempt.
   */
  ready(): Promise<void> {
    return this.sync.ready();
  }

  /**
   * Whether `user` gets feature `name`. Synchronous, never throws, no I/O.
   * Unknown features are off. Before `ready()` resolved it answers false and emits
   * one `NotReadyError` through `error`; `explain` then says `NOT_READY`.
   */
  can(user: U, name: string): boolean {
    return this.evaluator.can(user, name);
  }

  /** Like `can`, with the step that decided and what the client knew. Synchronous, never throws. */
  explain(user: U, name: string): Explanation {
    return this.evaluator.explain(user, name);
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
  async addFeature(input: FeatureInput, options: { replace?: boolean } = {}): Promise<Feature> {
    return this.writer.add(input, Boolean(options.replace));
  }

  /**
   * Changes any of a feature's fields atomically. Throws FeatureNotFoundError if it
   * does not exist. With `{ expectedVersion }` it writes only if the stored feature is
   * still at that version (a read-edit-save that must not overwrite someone else's
   * change), and throws VersionConflictError otherwise.
   */
  updateFeature(name: string, patch: FeaturePatch, options: UpdateOptions = {}): Promise<Feature> {
    return this.writer.update(name, patch, options.expectedVersion);
  }

  /** Removes a feature. Resolves to false when it did not exist. */
  removeFeature(name: string): Promise<boolean> {
    return this.writer.remove(name);
  }

  /** Turns the feature on for everyone (adds group ALL, removes NONE). Creates the feature if needed. */
  activate(name: string): Promise<Feature> {
    return this.writer.activate(name);
  }

  /**
   * Turns the feature off for everyone, like the rollout gem's `deactivate`: clears
   * groups, users, percentage and rules. Description, data and the deny list stay.
   */
  deactivate(name: string): Promise<Feature> {
    return this.writer.deactivate(name);
  }

  /** Adds a user (object with `id`, or an id) to the feature's list. Creates the feature if needed. */
  activateUser(name: string, userOrId: U | string | number): Promise<Feature> {
    return this.writer.setUser(name, 'users', userOrId, true);
  }

  /** Removes a user from the feature's list. */
  deactivateUser(name: string, userOrId: U | string | number): Promise<Feature> {
    return this.writer.setUser(name, 'users', userOrId, false);
  }

  /** Puts a user on the feature's deny list: the user never gets it (unless removed again). */
  excludeUser(name: string, userOrId: U | string | number): Promise<Feature> {
    return this.writer.setUser(name, 'excludedUsers', userOrId, true);
  }

  /** Takes a user off the feature's deny list. */
  includeUser(name: string, userOrId: U | string | number): Promise<Feature> {
    return this.writer.setUser(name, 'excludedUsers', userOrId, false);
  }

  /** Opens the feature to a group (`ALL`, `NONE`, a data group or a code group). */
  activateGroup(name: string, group: string): Promise<Feature> {
    return this.writer.setGroup(name, group, true);
  }

  /** Removes a group from the feature. */
  deactivateGroup(name: string, group: string): Promise<Feature> {
    return this.writer.setGroup(name, group, false);
  }

  /** Sets the percentage (0 to 100, step 0.001). Raising it only adds users. */
  activatePercentage(name: string, percentage: number): Promise<Feature> {
    return this.writer.setPercentage(name, percentage);
  }

  /** Sets the percentage to 0. */
  deactivatePercentage(name: string): Promise<Feature> {
    return this.writer.setPercentage(name, 0);
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

  /**
   * Reloads the whole snapshot from the store now. Resolves when done; rejects
   * (and marks the client stale) when the store cannot be read.
   */
  async refresh(): Promise<void> {
    this.sync.assertOpen();
    await this.sync.refresh();
  }
}
