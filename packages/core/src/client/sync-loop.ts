import { ClosedError, isRolloutError, type RolloutError, StoreError } from '../errors.js';
import type { FeatureStore, StoreChange } from '../store.js';
import { jitteredBackoff } from '../store-kit/sleep.js';
import type { Emit, RolloutStatus } from './events.js';
import type { LocalSnapshot } from './local-snapshot.js';

/** What the sync loop needs of the local snapshot: read marks, apply what it fetched. */
export type SnapshotFeed = Pick<
  LocalSnapshot,
  | 'revision'
  | 'epoch'
  | 'applySnapshot'
  | 'applyRemote'
  | 'advanceTo'
  | 'holdsChange'
  | 'writesSettled'
>;

/** Settings of {@link SyncLoop}. */
export interface SyncLoopOptions {
  store: FeatureStore;
  snapshot: SnapshotFeed;
  emit: Emit;
  /** Delay between revision polls while healthy, in ms. */
  pollInterval: number;
  /** Longest wait between reconnection attempts, in ms. */
  maxBackoff: number;
  now: () => Date;
}

// Reconnection attempts start this soon after a failure, doubling up to `maxBackoff`.
const FIRST_RETRY_MS = 100;

/**
 * Keeps the local snapshot fresh: connects, subscribes to pushed changes where the
 * store can, polls the revision otherwise (and to notice missed pushes), refreshes
 * what changed, backs off while the store is unreachable, and reports the client's
 * status (`starting`, `ready`, `stale`, `closed`) with the `ready`, `stale` and
 * `fresh` events. One refresh runs at a time; notifications queue names or ask for a
 * full reload.
 */
export class SyncLoop {
  private readonly store: FeatureStore;
  private readonly snapshot: SnapshotFeed;
  private readonly emit: Emit;
  private readonly pollInterval: number;
  private readonly maxBackoff: number;
  private readonly now: () => Date;

  private currentStatus: RolloutStatus = 'starting';
  private loaded = false;
  private staleSinceAt: string | undefined;
  private staleCause: RolloutError | undefined;
  private readyWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  // The newest revision a notification (or a snapshot) told of.
  private notifiedRevision = -1;
  // Names to read, each with the newest revision a notification told of it and the
  // newest version they announced (undefined once one announced none: a remove).
  private pendingNames = new Map<string, { revision: number; version: number | undefined }>();
  private needFull = true;
  private refreshing: Promise<void> | undefined;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private subscribing = false;
  private readonly started: Promise<void>;

  /** Starts at once: connects, subscribes, loads the first snapshot, then polls. */
  constructor(options: SyncLoopOptions) {
    this.store = options.store;
    this.snapshot = options.snapshot;
    this.emit = options.emit;
    this.pollInterval = options.pollInterval;
    this.maxBackoff = options.maxBackoff;
    this.now = options.now;
    this.started = this.start();
  }

  /** Where the client stands. */
  get status(): RolloutStatus {
    return this.currentStatus;
  }

  /** True once the first snapshot loaded. */
  get isReady(): boolean {
    return this.loaded;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.currentStatus === 'closed';
  }

  /** Throws ClosedError after {@link close}: the client then reads and writes nothing. */
  assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }

  /** While stale: since when (ISO 8601). */
  get staleSince(): string | undefined {
    return this.staleSinceAt;
  }

  /** While stale (or while the first load keeps failing): the error that caused it. */
  get staleError(): RolloutError | undefined {
    return this.staleCause;
  }

  /** Resolves once the first snapshot loaded; rejects when an attempt fails or on close. */
  ready(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    if (this.closed) return Promise.reject(new ClosedError());
    return new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Reloads the whole snapshot now; rejects with the store's error when it cannot be read. */
  async refresh(): Promise<void> {
    this.needFull = true;
    await this.runRefresh();
    // Before the first load the status stays `starting`, so a failed load is told by the error.
    if ((this.currentStatus === 'stale' || !this.loaded) && this.staleCause) throw this.staleCause;
  }

  /** Stops polling, rejects ready waiters, waits for work in flight and unsubscribes. */
  async close(): Promise<void> {
    this.currentStatus = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.readyWaiters.splice(0)) w.reject(new ClosedError());
    await this.started.catch(() => undefined);
    await this.refreshing?.catch(() => undefined);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
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
    if (this.closed) return;
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
      // close() may have run while subscribe() was in flight.
      if (this.closed) {
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
    if (this.closed) return;
    if (change.revision <= this.notifiedRevision) return;
    if (change.revision === this.notifiedRevision + 1 && this.loaded) {
      const before = this.pendingNames.get(change.name);
      const announced = change.version !== undefined && change.version > 0;
      const version =
        before && before.version === undefined ? undefined : announced ? change.version : undefined;
      this.pendingNames.set(change.name, { revision: change.revision, version });
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
        while ((this.needFull || this.pendingNames.size > 0) && !this.closed) {
          if (this.needFull) await this.loadAll();
          else await this.loadPending();
        }
        this.onRefreshSucceeded();
      } catch (error) {
        this.markStale(toRolloutError(error, 'refreshing the snapshot failed'));
        if (!this.loaded) for (const w of this.readyWaiters.splice(0)) w.reject(this.staleCause);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async loadAll(): Promise<void> {
    this.needFull = false;
    this.pendingNames.clear();
    const epoch = this.snapshot.epoch();
    const snap = await this.fetching(() => this.store.snapshot());
    const before = this.snapshot.revision;
    this.snapshot.applySnapshot(snap, epoch);
    // A revision that went back means the data was reset (a memcached restart, an emptied
    // backend): notifications numbered before the reset say nothing about the new data.
    const reset = snap.revision < before;
    if (snap.revision > this.notifiedRevision || !this.loaded || reset)
      this.notifiedRevision = snap.revision;
  }

  private async loadPending(): Promise<void> {
    // The answer of this client's own write travels on another connection than its
    // notification (or, in process, comes after it): one macrotask lets a write that is
    // starting register, then the writes of these names on their way are waited for.
    // Once applied, they make reading the feature back unnecessary (below).
    await nextMacrotask();
    await this.snapshot.writesSettled(this.pendingNames.keys());
    if (this.needFull || this.closed) return;
    const target = this.notifiedRevision;
    // A name whose record is this client's own write at the notified revision (or a
    // later one) already holds the change: no read, the revision bookkeeping as if read.
    const names = [...this.pendingNames]
      .filter(
        ([name, { revision, version }]) => !this.snapshot.holdsChange(name, revision, version),
      )
      .map(([name]) => name);
    this.pendingNames.clear();
    if (names.length === 0) {
      this.snapshot.advanceTo(target);
      return;
    }
    const epoch = this.snapshot.epoch();
    const records = await this.fetching(() => Promise.all(names.map((n) => this.store.get(n))));
    for (let i = 0; i < names.length; i++)
      this.snapshot.applyRemote(names[i] as string, records[i], epoch);
    this.snapshot.advanceTo(target);
  }

  /** Runs a store read; when it fails, only a full reload is safe afterwards. */
  private async fetching<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.needFull = true;
      throw error;
    }
  }

  private onRefreshSucceeded(): void {
    // close() may have run while the refresh was on its way: closed stays closed.
    if (this.closed) return;
    this.failures = 0;
    const revision = this.snapshot.revision;
    if (!this.loaded) {
      this.loaded = true;
      this.becomeReady();
      for (const w of this.readyWaiters.splice(0)) w.resolve();
      this.emit('ready', { revision });
      return;
    }
    if (this.currentStatus === 'stale') {
      this.becomeReady();
      this.emit('fresh', { revision });
    }
  }

  private becomeReady(): void {
    this.currentStatus = 'ready';
    this.staleSinceAt = undefined;
    this.staleCause = undefined;
  }

  private markStale(error: RolloutError): void {
    if (this.closed) return;
    this.failures++;
    this.needFull = true;
    const already =
      this.currentStatus === 'stale' ||
      (this.currentStatus === 'starting' && this.staleCause !== undefined);
    this.staleCause = error;
    if (already) return;
    const since = this.now().toISOString();
    this.staleSinceAt = since;
    if (this.loaded) this.currentStatus = 'stale';
    this.emit('error', error);
    this.emit('stale', { error, since });
    // Retry sooner than the regular poll: backoff starts at FIRST_RETRY_MS.
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const unhealthy = this.currentStatus === 'stale' || !this.loaded;
    const delay = unhealthy
      ? jitteredBackoff(this.failures, FIRST_RETRY_MS, this.maxBackoff)
      : this.pollInterval;
    this.timer = setTimeout(() => void this.poll(), delay);
    // Never keep a process alive just to poll flags.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    try {
      await this.ensureSubscribed();
      if (this.currentStatus === 'stale' || !this.loaded) {
        this.needFull = true;
      } else {
        const revision = await this.store.revision();
        // A revision not covered by pending notifications (or one that went back: the data was reset).
        if (revision !== this.snapshot.revision && revision > this.notifiedRevision)
          this.needFull = true;
        if (revision < this.snapshot.revision) this.needFull = true;
      }
      await this.runRefresh();
    } catch (error) {
      this.markStale(toRolloutError(error, 'polling the store failed'));
    }
    this.schedulePoll();
  }
}

// setImmediate where there is one (Node): a timer of 0 ms waits 1 ms there.
function nextMacrotask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
    .setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** Any failure as a typed error: RolloutErrors as they are, anything else as a StoreError saying what failed. */
function toRolloutError(error: unknown, what: string): RolloutError {
  if (isRolloutError(error)) return error;
  return new StoreError(
    'unknown',
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}
