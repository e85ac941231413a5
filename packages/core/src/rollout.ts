import { TypedEmitter } from './emitter.js';
import {
  ClosedError,
  FeatureExistsError,
  GroupPredicateError,
  isRolloutError,
  NotReadyError,
  type RolloutError,
  StoreError,
  ValidationError,
  VersionConflictError,
} from './errors.js';
import {
  type CompiledFeature,
  compileFeature,
  type EvaluationDetail,
  evaluateFeature,
  type GroupPredicate,
  isOnReason,
} from './evaluate.js';
import {
  type Feature,
  type FeatureInput,
  type FeaturePatch,
  GROUP_ALL,
  GROUP_NONE,
  type User,
} from './model.js';
import { type MutateResult, mutateFeature, sameContent } from './mutate.js';
import { OPEN_FEATURE_REASONS, type OpenFeatureReason, type Reason } from './reasons.js';
import type { FeatureStore, StoreChange, StoreSnapshot } from './store.js';
import {
  featureFromInput,
  normalizeData,
  normalizeDescription,
  normalizeGroupList,
  normalizeRules,
  normalizeUserList,
  userIdOf,
  validateFeatureName,
  validateGroupName,
  validateHashVersion,
  validatePercentage,
} from './validation.js';

/** Where the client stands. */
export type RolloutStatus = 'starting' | 'ready' | 'stale' | 'closed';

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

/** A feature change seen by the client, from its own write or from another process. */
export interface FeatureChangeEvent {
  /** The feature's name. */
  name: string;
  /** The feature now, or undefined when it was removed. */
  feature: Feature | undefined;
  /** The feature before, or undefined when it is new. */
  previous: Feature | undefined;
  /** `local` for this client's own writes, `remote` for anything learned from the store. */
  source: 'local' | 'remote';
}

/** Events the client emits. */
export interface RolloutEvents {
  /** A feature changed. */
  change: FeatureChangeEvent;
  /** Something went wrong that the caller of `can` is never told about (store failure, throwing group predicate, use before ready). */
  error: RolloutError;
  /** The first snapshot loaded. */
  ready: { revision: number };
  /** The store became unreachable; the client serves its last snapshot. */
  stale: { error: RolloutError; since: string };
  /** The store is reachable again and the snapshot was resynced. */
  fresh: { revision: number };
}

/** What `explain` returns: the answer and the step that decided it. */
export interface Explanation {
  /** The feature asked about. */
  feature: string;
  /** The answer `can` gives. */
  enabled: boolean;
  /** The step of the evaluation order that decided. */
  reason: Reason;
  /** The same reason in OpenFeature's vocabulary. */
  openFeatureReason: OpenFeatureReason;
  /** False before the first snapshot loaded (the answer is then the default, off). */
  ready: boolean;
  /** True while the store is unreachable and the answer comes from the last known snapshot. */
  stale: boolean;
  /** When the client became stale (ISO 8601). */
  staleSince?: string;
  /** The error that made the client stale. */
  staleError?: { code: string; message: string };
  /** The user id used, if any. */
  userId?: string | number;
  /** The group that matched (reason GROUP). */
  group?: string;
  /** Index of the rule that matched (reason RULE). */
  rule?: number;
  /** The user's bucket position in percent, when the percentage step ran. */
  bucket?: number;
  /** The feature's percentage, when the percentage step ran. */
  percentage?: number;
  /** The feature's stored version, when it exists. */
  version?: number;
  /** The snapshot revision the answer comes from. */
  revision: number;
}

const EMPTY_USER: User = Object.freeze({});
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The rollout client. Evaluation (`can`, `explain`) is synchronous, never throws
 * and never does I/O: it reads a local snapshot that the client keeps fresh
 * (pushed changes where the store can, polling otherwise). Mutations are atomic
 * compare-and-set writes through the store, visible to this client as soon as
 * they resolve.
 */
export class Rollout<U = User> extends TypedEmitter<RolloutEvents> {
  /** The store this client reads and writes. */
  readonly store: FeatureStore;
  private readonly mapUser: ((user: U) => User) | undefined;
  private readonly pollInterval: number;
  private readonly maxBackoff: number;
  private readonly writeAttempts: number;
  private readonly closeStore: boolean;
  private readonly now: () => Date;

  private compiled = new Map<string, CompiledFeature>();
  private readonly codeGroups = new Map<string, GroupPredicate>();
  private currentRevision = -1;
  private notifiedRevision = -1;
  private loaded = false;
  private currentStatus: RolloutStatus = 'starting';
  private staleSince: string | undefined;
  private staleError: RolloutError | undefined;
  private notReadyReported = false;

  // Refresh machinery: one loop at a time; notifications queue names or ask for a full reload.
  private pendingNames = new Set<string>();
  private needFull = true;
  private refreshing: Promise<void> | undefined;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private subscribing = false;
  private readyWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private readonly started: Promise<void>;
  // Local writes bump an epoch so that a refresh fetched before them cannot undo them.
  private localEpoch = 0;
  private readonly touched = new Map<string, number>();
  // Every change applied to the snapshot is numbered per name, so a local write can tell
  // whether its feature changed here (a refresh, another write) while it was on its way.
  private applySeq = 0;
  private readonly appliedAt = new Map<string, number>();

  private readonly detail: EvaluationDetail = { group: undefined, rule: -1, position: -1 };
  private readonly groupErrorHandler = (group: string, error: unknown) => {
    this.emit('error', new GroupPredicateError(group, { cause: error }));
  };

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
    this.mapUser = options.mapUser;
    this.pollInterval = options.pollInterval ?? this.store.capabilities.pollIntervalMs;
    this.maxBackoff = options.maxBackoff ?? 5000;
    this.writeAttempts = options.writeAttempts ?? 100;
    this.closeStore = options.closeStore ?? true;
    this.now = options.now ?? (() => new Date());
    this.started = this.start();
  }

  /** Where the client stands: `starting`, `ready`, `stale` (serving the last snapshot) or `closed`. */
  get status(): RolloutStatus {
    return this.currentStatus;
  }

  /** The revision of the local snapshot (-1 before the first load). */
  get revision(): number {
    return this.currentRevision;
  }

  /** True once the first snapshot loaded. */
  get isReady(): boolean {
    return this.loaded;
  }

  /**
   * Resolves once the first snapshot is loaded. Rejects if that load fails; the
   * client keeps retrying in the background, and a later `ready()` waits for the
   * next attempt.
   */
  ready(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    if (this.currentStatus === 'closed') return Promise.reject(new ClosedError());
    return new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Whether `user` gets feature `name`. Synchronous, never throws, no I/O.
   * Unknown features are off. Before `ready()` resolved it answers false and emits
   * one `NotReadyError` through `error`; `explain` then says `NOT_READY`.
   */
  can(user: U, name: string): boolean {
    if (!this.loaded) {
      this.reportNotReady();
      return false;
    }
    const cf = this.compiled.get(name);
    if (cf === undefined) return false;
    try {
      const mapped = this.toUser(user);
      return isOnReason(
        evaluateFeature(cf, mapped, this.codeGroups, this.groupErrorHandler, undefined),
      );
    } catch (error) {
      this.emit('error', evaluationError(error));
      return false;
    }
  }

  /** Like `can`, with the step that decided and what the client knew. Synchronous, never throws. */
  explain(user: U, name: string): Explanation {
    const base: Explanation = {
      feature: name,
      enabled: false,
      reason: 'NOT_READY',
      openFeatureReason: 'ERROR',
      ready: this.loaded,
      stale: this.currentStatus === 'stale',
      revision: this.currentRevision,
    };
    if (this.staleSince !== undefined && base.stale) {
      base.staleSince = this.staleSince;
      if (this.staleError)
        base.staleError = { code: this.staleError.code, message: this.staleError.message };
    }
    if (!this.loaded) {
      this.reportNotReady();
      return base;
    }
    const cf = this.compiled.get(name);
    if (cf === undefined) return withReason(base, 'FEATURE_NOT_FOUND');
    base.version = cf.feature.version;
    try {
      const mapped = this.toUser(user);
      const id = mapped.id;
      if (typeof id === 'string' || typeof id === 'number') base.userId = id;
      const detail = this.detail;
      detail.group = undefined;
      detail.rule = -1;
      detail.position = -1;
      const reason = evaluateFeature(cf, mapped, this.codeGroups, this.groupErrorHandler, detail);
      withReason(base, reason);
      if (reason === 'GROUP' && detail.group !== undefined) base.group = detail.group;
      if (reason === 'RULE') base.rule = detail.rule;
      if (detail.position >= 0) {
        base.bucket = detail.position;
        base.percentage = cf.percentage;
      }
      return base;
    } catch (error) {
      this.emit('error', evaluationError(error));
      return withReason(base, 'ERROR');
    }
  }

  /**
   * Defines a group in code (rollout-gem style): users for whom `predicate` returns
   * true are in the group. A predicate that throws counts as false and is reported
   * through `error`. Redefining a group replaces its predicate.
   */
  defineGroup(name: string, predicate: (user: User) => boolean): void {
    const group = validateGroupName(name);
    if (group === GROUP_ALL || group === GROUP_NONE) {
      throw new ValidationError(
        'group',
        name,
        `${group} is a built-in group and cannot be defined`,
      );
    }
    if (typeof predicate !== 'function')
      throw new ValidationError('predicate', predicate, 'must be a function');
    this.codeGroups.set(group, predicate);
  }

  /** Names of the groups defined in code. */
  definedGroups(): string[] {
    return [...this.codeGroups.keys()].sort();
  }

  /** The locally known features (from the snapshot), sorted by name. No I/O. */
  snapshot(): Feature[] {
    // Copies: a caller changing them must not make the snapshot disagree with evaluation.
    return [...this.compiled.values()].map((cf) => structuredClone(cf.feature)).sort(byName);
  }

  // ---- reads from the store ----

  /** Reads one feature from the store (fresh, not the snapshot); undefined when it does not exist. */
  async getFeature(name: string): Promise<Feature | undefined> {
    this.assertOpen();
    return this.store.get(validateFeatureName(name));
  }

  /** Reads every feature from the store (fresh), sorted by name. */
  async features(): Promise<Feature[]> {
    this.assertOpen();
    const snap = await this.store.snapshot();
    return [...snap.features].sort(byName);
  }

  // ---- mutations ----

  /**
   * Creates a feature. Throws FeatureExistsError if it exists, unless
   * `{ replace: true }`, which overwrites it atomically (keeping `createdAt`).
   */
  async addFeature(input: FeatureInput, options: { replace?: boolean } = {}): Promise<Feature> {
    this.assertOpen();
    const feature = featureFromInput(input, this.now().toISOString());
    for (let attempt = 0; attempt < this.writeAttempts; attempt++) {
      const since = this.applySeq;
      const existing = await this.store.get(feature.name);
      if (existing && !options.replace) throw new FeatureExistsError(feature.name);
      const next = { ...feature, createdAt: existing?.createdAt ?? feature.createdAt };
      try {
        const stored = await this.store.put(next, existing ? existing.version : 0);
        this.applyLocal(stored.name, stored, since);
        return stored;
      } catch (error) {
        if (!isRolloutError(error, 'VERSION_CONFLICT')) throw error;
        if (!options.replace) {
          // Someone created it between our read and our write.
          const now = await this.store.get(feature.name);
          if (now) throw new FeatureExistsError(feature.name, { cause: error });
        }
        await sleep(Math.random() * Math.min(100, 2 ** attempt));
      }
    }
    throw new VersionConflictError(feature.name);
  }

  /** Changes any of a feature's fields atomically. Throws FeatureNotFoundError if it does not exist. */
  async updateFeature(name: string, patch: FeaturePatch): Promise<Feature> {
    const checked = validatePatch(patch);
    return this.mutate(name, false, (f) => Object.assign(f, checked));
  }

  /** Removes a feature. Resolves to false when it did not exist. */
  async removeFeature(name: string): Promise<boolean> {
    this.assertOpen();
    const checked = validateFeatureName(name);
    const removed = await this.store.remove(checked);
    // Also when it was already gone: another client may have removed it before this snapshot heard.
    this.applyLocal(checked, undefined);
    return removed;
  }

  /** Turns the feature on for everyone (adds group ALL, removes NONE). Creates the feature if needed. */
  async activate(name: string): Promise<Feature> {
    return this.mutate(name, true, (f) => {
      f.groups = sortedWith(
        f.groups.filter((g) => g !== GROUP_NONE),
        GROUP_ALL,
      );
      return f;
    });
  }

  /**
   * Turns the feature off for everyone, like the rollout gem's `deactivate`: clears
   * groups, users, percentage and rules. Description, data and the deny list stay.
   */
  async deactivate(name: string): Promise<Feature> {
    return this.mutate(name, true, (f) => {
      f.groups = [];
      f.users = [];
      f.percentage = 0;
      f.rules = [];
      return f;
    });
  }

  /** Adds a user (object with `id`, or an id) to the feature's list. Creates the feature if needed. */
  async activateUser(name: string, userOrId: U | string | number): Promise<Feature> {
    const id = userIdOf(this.userForId(userOrId));
    return this.mutate(name, true, (f) => {
      f.users = sortedWith(f.users, id);
      return f;
    });
  }

  /** Removes a user from the feature's list. */
  async deactivateUser(name: string, userOrId: U | string | number): Promise<Feature> {
    const id = userIdOf(this.userForId(userOrId));
    return this.mutate(name, true, (f) => {
      f.users = f.users.filter((u) => u !== id);
      return f;
    });
  }

  /** Puts a user on the feature's deny list: the user never gets it (unless removed again). */
  async excludeUser(name: string, userOrId: U | string | number): Promise<Feature> {
    const id = userIdOf(this.userForId(userOrId));
    return this.mutate(name, true, (f) => {
      f.excludedUsers = sortedWith(f.excludedUsers, id);
      return f;
    });
  }

  /** Takes a user off the feature's deny list. */
  async includeUser(name: string, userOrId: U | string | number): Promise<Feature> {
    const id = userIdOf(this.userForId(userOrId));
    return this.mutate(name, true, (f) => {
      f.excludedUsers = f.excludedUsers.filter((u) => u !== id);
      return f;
    });
  }

  /** Opens the feature to a group (`ALL`, `NONE`, a data group or a code group). */
  async activateGroup(name: string, group: string): Promise<Feature> {
    const g = validateGroupName(group);
    return this.mutate(name, true, (f) => {
      f.groups = sortedWith(f.groups, g);
      return f;
    });
  }

  /** Removes a group from the feature. */
  async deactivateGroup(name: string, group: string): Promise<Feature> {
    const g = validateGroupName(group);
    return this.mutate(name, true, (f) => {
      f.groups = f.groups.filter((x) => x !== g);
      return f;
    });
  }

  /** Sets the percentage (0 to 100, step 0.001). Raising it only adds users. */
  async activatePercentage(name: string, percentage: number): Promise<Feature> {
    const p = validatePercentage(percentage);
    return this.mutate(name, true, (f) => {
      f.percentage = p;
      return f;
    });
  }

  /** Sets the percentage to 0. */
  async deactivatePercentage(name: string): Promise<Feature> {
    return this.mutate(name, true, (f) => {
      f.percentage = 0;
      return f;
    });
  }

  /**
   * Stops refreshing, unsubscribes and (unless `closeStore: false`) closes the
   * store. Evaluation keeps answering from the last snapshot; writes throw ClosedError.
   */
  async close(): Promise<void> {
    if (this.currentStatus === 'closed') return;
    this.currentStatus = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.readyWaiters.splice(0)) w.reject(new ClosedError());
    await this.started.catch(() => undefined);
    await this.refreshing?.catch(() => undefined);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
    if (this.closeStore) await this.store.close();
  }

  /**
   * Reloads the whole snapshot from the store now. Resolves when done; rejects
   * (and marks the client stale) when the store cannot be read.
   */
  async refresh(): Promise<void> {
    this.assertOpen();
    this.needFull = true;
    await this.runRefresh();
    // Before the first load the status stays `starting`, so a failed load is told by the error.
    if ((this.currentStatus === 'stale' || !this.loaded) && this.staleError) throw this.staleError;
  }

  // ---- internals ----

  private toUser(user: U): User {
    if (this.mapUser) return this.mapUser(user);
    if (user === null || user === undefined) return EMPTY_USER;
    if (typeof user !== 'object') return { id: user as unknown as string | number };
    return user as unknown as User;
  }

  private userForId(userOrId: U | string | number): unknown {
    if (typeof userOrId === 'object' && userOrId !== null && this.mapUser)
      return this.mapUser(userOrId as U);
    return userOrId;
  }

  private reportNotReady(): void {
    if (this.notReadyReported) return;
    this.notReadyReported = true;
    this.emit('error', new NotReadyError());
  }

  private assertOpen(): void {
    if (this.currentStatus === 'closed') throw new ClosedError();
  }

  private async mutate(
    name: string,
    create: boolean,
    change: (f: Feature) => Feature,
  ): Promise<Feature> {
    this.assertOpen();
    const checked = validateFeatureName(name);
    const since = this.applySeq;
    const result: MutateResult = await mutateFeature(this.store, checked, change, {
      create,
      maxAttempts: this.writeAttempts,
      now: this.now,
    });
    // Also when nothing was written: the store may already hold the change (made by
    // another client) that this snapshot has not caught up with yet.
    this.applyLocal(checked, result.feature, since);
    return result.feature;
  }

  /**
   * Applies this client's own write to the snapshot at once (read-your-writes). `since`
   * is `applySeq` when the write read the store: if nothing changed `name` here after
   * that (no refresh, no other write of this client), the result is the newest record.
   */
  private applyLocal(name: string, feature: Feature | undefined, since = -1): void {
    this.touched.set(name, ++this.localEpoch);
    this.applyOne(name, feature, 'local', (this.appliedAt.get(name) ?? 0) <= since);
  }

  private applyOne(
    name: string,
    feature: Feature | undefined,
    source: 'local' | 'remote',
    newest = false,
  ): void {
    const previous = this.compiled.get(name)?.feature;
    if (feature === undefined) {
      if (!previous) return;
      this.compiled.delete(name);
    } else {
      // A local write's result may arrive after a refresh or another write already applied
      // a newer version: keep the newer one. Otherwise (a remote record, or a local one
      // nothing changed meanwhile) the record is the newest there is (refreshes are
      // serialized, names written locally meanwhile are skipped by the epoch check), so
      // only an identical record (content included) is skipped: a feature removed and
      // re-created starts again at version 1, with timestamps that may equal the old
      // ones (same millisecond, or a fixed clock), so versions of different lives do not
      // compare.
      const skip =
        previous !== undefined &&
        (source === 'local' && !newest
          ? previous.createdAt === feature.createdAt && previous.version >= feature.version
          : previous.version === feature.version &&
            previous.updatedAt === feature.updatedAt &&
            sameContent(previous, feature));
      if (skip) return;
      this.compiled.set(name, compileFeature(feature));
    }
    this.appliedAt.set(name, ++this.applySeq);
    this.emit('change', { name, feature, previous, source });
  }

  private async start(): Promise<void> {
    try {
      await this.store.connect();
      await this.ensureSubscribed();
    } catch (error) {
      this.markStale(toRolloutError(error, 'connecting to the store failed'));
    }
    await this.runRefresh();
    this.schedulePoll();
  }

  /**
   * Subscribes to pushed changes if the store can push and we are not subscribed
   * yet. Called at start and again on every poll, so a client created while the
   * store was down subscribes once it is back instead of living on polls alone.
   */
  private async ensureSubscribed(): Promise<void> {
    const store = this.store;
    if (this.unsubscribe || this.subscribing || !store.capabilities.push || !store.subscribe)
      return;
    if (this.currentStatus === 'closed') return;
    this.subscribing = true;
    try {
      const unsubscribe = await store.subscribe({
        change: (change) => this.onStoreChange(change),
        resync: () => {
          this.needFull = true;
          void this.runRefresh();
        },
        error: (error) => this.markStale(error),
      });
      // close() may have run while subscribe() was in flight (TS narrowed the status before the await).
      if ((this.currentStatus as RolloutStatus) === 'closed') {
        await unsubscribe().catch(() => undefined);
        return;
      }
      this.unsubscribe = unsubscribe;
      // Changes made before the subscription existed were never pushed: reload once.
      if (this.loaded) this.needFull = true;
    } finally {
      this.subscribing = false;
    }
  }

  private onStoreChange(change: StoreChange): void {
    if (this.currentStatus === 'closed') return;
    if (change.revision <= this.notifiedRevision) return;
    if (change.revision === this.notifiedRevision + 1 && this.loaded) {
      this.pendingNames.add(change.name);
    } else {
      // A gap: some notification was missed, so only a full reload is safe.
      this.needFull = true;
    }
    this.notifiedRevision = change.revision;
    void this.runRefresh();
  }

  private runRefresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (!this.needFull && this.pendingNames.size === 0) {
      // Nothing to fetch. Not through the async body below: it would run to its end
      // synchronously, clearing `refreshing` before the assignment sets it, and the
      // settled promise would then stay in `refreshing`, silently ending all refreshes.
      this.onRefreshSucceeded();
      return Promise.resolve();
    }
    this.refreshing = (async () => {
      try {
        while ((this.needFull || this.pendingNames.size > 0) && this.currentStatus !== 'closed') {
          if (this.needFull) {
            this.needFull = false;
            this.pendingNames.clear();
            const epoch = this.localEpoch;
            let snap: StoreSnapshot;
            try {
              snap = await this.store.snapshot();
            } catch (error) {
              this.needFull = true;
              throw error;
            }
            this.applySnapshot(snap, epoch);
          } else {
            const names = [...this.pendingNames];
            this.pendingNames.clear();
            const target = this.notifiedRevision;
            const epoch = this.localEpoch;
            let records: (Feature | undefined)[];
            try {
              records = await Promise.all(names.map((n) => this.store.get(n)));
            } catch (error) {
              this.needFull = true;
              throw error;
            }
            names.forEach((n, i) => {
              if ((this.touched.get(n) ?? 0) > epoch) return;
              this.applyOne(n, records[i], 'remote');
            });
            if (target > this.currentRevision) this.currentRevision = target;
          }
        }
        this.onRefreshSucceeded();
      } catch (error) {
        this.markStale(toRolloutError(error, 'refreshing the snapshot failed'));
        if (!this.loaded) for (const w of this.readyWaiters.splice(0)) w.reject(this.staleError);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private applySnapshot(snap: StoreSnapshot, epoch: number): void {
    const seen = new Set<string>();
    for (const feature of snap.features) {
      seen.add(feature.name);
      if ((this.touched.get(feature.name) ?? 0) > epoch) continue;
      const previous = this.compiled.get(feature.name)?.feature;
      // Same version and timestamp usually means nothing changed, but a hand-edited file
      // (the file store) can change content without bumping either: compare the content too.
      if (
        previous &&
        previous.version === feature.version &&
        previous.updatedAt === feature.updatedAt &&
        sameContent(previous, feature)
      )
        continue;
      this.compiled.set(feature.name, compileFeature(feature));
      this.appliedAt.set(feature.name, ++this.applySeq);
      this.emit('change', { name: feature.name, feature, previous, source: 'remote' });
    }
    for (const [name, cf] of [...this.compiled]) {
      if (seen.has(name) || (this.touched.get(name) ?? 0) > epoch) continue;
      this.compiled.delete(name);
      this.appliedAt.set(name, ++this.applySeq);
      this.emit('change', { name, feature: undefined, previous: cf.feature, source: 'remote' });
    }
    // A revision that went back means the data was reset (a memcached restart, an emptied
    // backend): notifications numbered before the reset say nothing about the new data.
    const reset = snap.revision < this.currentRevision;
    this.currentRevision = snap.revision;
    if (snap.revision > this.notifiedRevision || !this.loaded || reset)
      this.notifiedRevision = snap.revision;
    // Writes older than this snapshot are in it; forget them so the map stays small.
    for (const [name, e] of this.touched) if (e <= epoch) this.touched.delete(name);
  }

  private onRefreshSucceeded(): void {
    // close() may have run while the refresh was on its way: closed stays closed.
    if (this.currentStatus === 'closed') return;
    this.failures = 0;
    if (!this.loaded) {
      this.loaded = true;
      this.currentStatus = 'ready';
      this.staleSince = undefined;
      this.staleError = undefined;
      for (const w of this.readyWaiters.splice(0)) w.resolve();
      this.emit('ready', { revision: this.currentRevision });
      return;
    }
    if (this.currentStatus === 'stale') {
      this.currentStatus = 'ready';
      this.staleSince = undefined;
      this.staleError = undefined;
      this.emit('fresh', { revision: this.currentRevision });
    }
  }

  private markStale(error: RolloutError): void {
    if (this.currentStatus === 'closed') return;
    this.failures++;
    this.needFull = true;
    if (this.currentStatus === 'stale' || (this.currentStatus === 'starting' && this.staleError)) {
      this.staleError = error;
      return;
    }
    this.staleError = error;
    this.staleSince = this.now().toISOString();
    if (this.loaded) this.currentStatus = 'stale';
    this.emit('error', error);
    this.emit('stale', { error, since: this.staleSince });
    // Retry sooner than the regular poll: backoff starts at 100 ms.
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.currentStatus === 'closed') return;
    if (this.timer) clearTimeout(this.timer);
    const unhealthy = this.currentStatus === 'stale' || !this.loaded;
    const delay = unhealthy
      ? Math.min(this.maxBackoff, 100 * 2 ** Math.min(this.failures, 16)) *
        (0.5 + Math.random() / 2)
      : this.pollInterval;
    this.timer = setTimeout(() => void this.poll(), delay);
    // Never keep a process alive just to poll flags.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.currentStatus === 'closed') return;
    try {
      await this.ensureSubscribed();
      if (this.currentStatus === 'stale' || !this.loaded) {
        this.needFull = true;
      } else {
        const revision = await this.store.revision();
        // A revision not covered by pending notifications (or one that went back: the data was reset).
        if (revision !== this.currentRevision && revision > this.notifiedRevision)
          this.needFull = true;
        if (revision < this.currentRevision) this.needFull = true;
      }
      await this.runRefresh();
    } catch (error) {
      this.markStale(toRolloutError(error, 'polling the store failed'));
    }
    this.schedulePoll();
  }
}

function withReason(e: Explanation, reason: Reason): Explanation {
  e.reason = reason;
  e.openFeatureReason = OPEN_FEATURE_REASONS[reason];
  e.enabled = isOnReason(reason);
  return e;
}

function byName(a: Feature, b: Feature): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function sortedWith(list: readonly string[], value: string): string[] {
  if (list.includes(value)) return [...list];
  const out = [...list, value];
  out.sort();
  return out;
}

/** An exception thrown while evaluating (by `mapUser`, in practice), as a typed error. */
function evaluationError(error: unknown): RolloutError {
  if (isRolloutError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ValidationError(
    'user',
    undefined,
    `mapping the user failed (${message}); answered off`,
    {
      cause: error,
    },
  );
}

function toRolloutError(error: unknown, what: string): RolloutError {
  if (isRolloutError(error)) return error;
  return new StoreError(
    'unknown',
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

function validatePatch(patch: FeaturePatch): Partial<Feature> {
  if (typeof patch !== 'object' || patch === null)
    throw new ValidationError('patch', patch, 'must be an object');
  const out: Partial<Feature> = {};
  for (const key of Object.keys(patch) as (keyof FeaturePatch)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    switch (key) {
      case 'description':
        out.description = normalizeDescription(value);
        break;
      case 'groups':
        out.groups = normalizeGroupList(value);
        break;
      case 'users':
        out.users = normalizeUserList(value, 'users');
        break;
      case 'excludedUsers':
        out.excludedUsers = normalizeUserList(value, 'excludedUsers');
        break;
      case 'percentage':
        out.percentage = validatePercentage(value);
        break;
      case 'rules':
        out.rules = normalizeRules(value);
        break;
      case 'data':
        out.data = normalizeData(value);
        break;
      case 'hashVersion':
        out.hashVersion = validateHashVersion(value);
        break;
      default:
        throw new ValidationError(String(key), value, 'not a field updateFeature can change');
    }
  }
  return out;
}
