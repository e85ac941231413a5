import type { StoreError } from './errors.js';
import type { Feature } from './model.js';
import type { ApplyOptions, ApplyResult, FeatureOperation } from './operations.js';

/**
 * What a store can do beyond the required members, declared as data so clients
 * and tools can adapt (and the conformance suite knows which groups to run).
 */
export interface StoreCapabilities {
  /**
   * The backend itself tells the store about changes made by any process, as they
   * happen (pub/sub, LISTEN/NOTIFY, a file watch), and `subscribe` delivers them.
   * A `subscribe` that only polls does not count: such a store declares `push:
   * false` (it may still implement `subscribe`, which must then deliver every
   * change all the same). Push is a fast path, never the only one: a client polls
   * `revision()` every `pollIntervalMs` whether or not the store pushes, so the
   * revision must move for every write even in push stores.
   */
  readonly push: boolean;
  /** Several OS processes may use the same backend at once, and writes stay atomic between them. */
  readonly multiProcess: boolean;
  /** Data survives a backend restart (false for memory and memcache). */
  readonly durable: boolean;
  /**
   * How often a client polls `revision()`, in ms: the only change signal of a
   * store without push, the safety net of one with push (a client polls at this
   * interval in both cases, unless its `pollInterval` option says otherwise).
   */
  readonly pollIntervalMs: number;
  /** The store keeps an append-only change history (`history` is implemented). */
  readonly history: boolean;
  /**
   * The store applies a list of {@link FeatureOperation}s atomically itself (`apply` is
   * implemented): no read-modify-write loop in the client, no conflict to retry.
   * Absent or false: clients use `get` + compare-and-set `put`.
   */
  readonly apply?: boolean;
}

/** The store's whole state at one instant. */
export interface StoreSnapshot {
  /** Revision the snapshot reflects; see {@link FeatureStore.revision}. */
  readonly revision: number;
  /** Every feature, each a complete, validated record. Order is not significant. */
  readonly features: readonly Feature[];
}

/**
 * A change notification. `name` is the feature that changed; `revision` the store
 * revision the change produced. A notification is a hint to refresh, not the data.
 */
export interface StoreChange {
  readonly revision: number;
  readonly name: string;
  /**
   * The feature's version after the change, where the store can tell (absent, or 0, for
   * a remove). A client uses it to check that a notification is the one of its own
   * write it already applied (same revision, same version) and skips reading it back.
   */
  readonly version?: number;
}

/** What a subscriber receives. Every member may be called at any time after `subscribe`. */
export interface StoreListener {
  /** A feature changed (created, updated or removed). */
  change(change: StoreChange): void;
  /**
   * Notifications may have been missed (the push connection dropped and came back,
   * the data vanished): reload the whole snapshot. A store calls it after every
   * gap in its push channel, once the channel is back, so that a change made
   * during the gap is never lost.
   */
  resync(): void;
  /** The push channel failed; the client marks itself stale until a refresh succeeds. */
  error(error: StoreError): void;
}

/** What a write did, as its history entry records it. `restore` is a write like any other. */
export type HistoryAction = 'add' | 'update' | 'remove' | 'restore';

/**
 * Who made a write and why: the optional third argument of {@link FeatureStore.put}
 * and {@link FeatureStore.remove}. A store with `capabilities.history` records it in
 * the write's history entry; a store without history ignores it. Stores check it with
 * the kit's `checkWriteContext` (actor and note are bounded, printable text) before
 * anything reaches the backend.
 */
export interface WriteContext {
  /**
   * The entry's action. Default (kit `writeAction`): `remove` for `remove`, `add` for a
   * `put` with expectedVersion 0, `update` otherwise. The client passes `restore` for restores.
   */
  readonly action?: HistoryAction;
  /** Who wrote: a person (`ana@laptop`) or a service name. */
  readonly actor?: string;
  /** Why, in a few words (`incident 4711`). */
  readonly note?: string;
}

/**
 * One entry of a store's change history (optional ability, `capabilities.history`):
 * exactly one per acknowledged write, recorded atomically with the write itself.
 */
export interface HistoryEntry {
  /** The store revision the write produced: unique per entry, the pagination cursor (`before`). */
  readonly revision: number;
  /** The feature written or removed. */
  readonly name: string;
  /**
   * The feature's version after the write; for a remove, the removed version + 1.
   * A feature removed and added again starts over at version 1.
   */
  readonly version: number;
  /** When the write happened (ISO 8601), by the backend's clock where it has one. */
  readonly at: string;
  readonly action: HistoryAction;
  readonly actor?: string;
  readonly note?: string;
  /** The feature after the change; undefined when it was removed. */
  readonly feature: Feature | undefined;
  /** The feature before the change; undefined when it did not exist. */
  readonly previous: Feature | undefined;
}

/** What {@link FeatureStore.history} returns: a page of entries, newest first. */
export interface HistoryQuery {
  /** One feature's entries; every feature's when undefined. */
  readonly name?: string;
  /** At most this many entries (positive integer). Default 100. */
  readonly limit?: number;
  /** Only entries with a `revision` below this: pass the last entry's revision to get the next page. */
  readonly before?: number;
}

/**
 * The store contract. A store persists features and nothing else: it holds no
 * evaluation logic. Implement the required members, declare `capabilities`, and
 * run `@rollout/store-test-suite` against it.
 *
 * Rules every store follows (each one pinned by a conformance case):
 * - Names and ids are data: they are never spliced into a key pattern, SQL or a path.
 * - Every error is a `StoreError` (or subclass) naming the store, with `cause` kept.
 *   Errors are recognised by `code` (`isRolloutError(error, 'VERSION_CONFLICT')`),
 *   never `instanceof`: a store may be built against another copy of this package.
 * - A write either happens completely or not at all.
 * - Records are returned as fresh objects the caller may keep; the store keeps no reference to them.
 * - After `close()` every member (connect, snapshot, get, revision, put, remove,
 *   subscribe, history) rejects with `ClosedError` (code `CLOSED`), never a
 *   backend's own "connection closed" error; `close()` twice resolves.
 */
export interface FeatureStore {
  /** Short backend name used in errors and tools: `memory`, `file`, `redis`, ... */
  readonly name: string;
  /** Optional abilities, as data. */
  readonly capabilities: StoreCapabilities;

  /**
   * Opens connections and creates what the store needs (tables, the file).
   * Idempotent; other members call it implicitly if needed.
   */
  connect(): Promise<void>;

  /** A consistent snapshot of every feature together with the revision it reflects. */
  snapshot(): Promise<StoreSnapshot>;

  /** One feature, or `undefined` when it does not exist (a miss is not an error). */
  get(name: string): Promise<Feature | undefined>;

  /**
   * The store's revision: a number that grows by at least one with every successful
   * write (put or remove) and never goes back while the data lives. Cheap: clients poll it.
   */
  revision(): Promise<number>;

  /**
   * Atomic compare-and-set write. Writes `feature` only if the stored version of
   * `feature.name` is `expectedVersion` (0: the feature must not exist). The stored
   * record gets `version = expectedVersion + 1`; the other fields are written as
   * given. Throws `VersionConflictError` when the stored version differs, leaving
   * the store unchanged. Bumps the revision and notifies subscribers.
   * Returns the record as stored.
   *
   * `put` validates the record (as `parseFeature` does) and throws
   * `ValidationError` (code `INVALID_INPUT`) before writing anything: a store never
   * writes what it could not read back, whoever called it. A history store records
   * one entry (`context` saying who and why) in the same atomic step, trimming the
   * feature's oldest.
   */
  put(feature: Feature, expectedVersion: number, context?: WriteContext): Promise<Feature>;

  /**
   * Atomic compare-and-delete: removes `name` if its stored version is
   * `expectedVersion` (or whatever it is, when `expectedVersion` is undefined).
   * Returns false when there was nothing to remove; throws `VersionConflictError`
   * when the version differs. Bumps the revision and notifies subscribers.
   *
   * A feature that does not exist: `remove(name)` and `remove(name, 0)` return
   * false and change nothing (the revision stays); `remove(name, n)` with any
   * other `n` throws `VersionConflictError` (the caller expected a version that
   * someone else removed). A history store records one `remove` entry in the same
   * atomic step (none when nothing was removed).
   */
  remove(name: string, expectedVersion?: number, context?: WriteContext): Promise<boolean>;

  /**
   * Apply ability (`capabilities.apply`): applies `operations` to the stored feature
   * `name` in one atomic step of the backend (a script, a locked transaction, under the
   * file lock), with the semantics of the kit's `applyOperations` (the reference). The
   * operations are checked first (kit `checkOperations`: ValidationError before
   * anything reaches the backend). When they change the feature, it is written as one
   * write like `put`: version + 1, one revision bump, one change notification, one
   * history entry (`add` when created, `update` otherwise, unless `context.action`
   * says). When they change nothing, nothing is written and the stored record is
   * returned with `changed: false`. Throws FeatureNotFoundError when the feature does
   * not exist and `options.create` is not set, ValidationError when the result would
   * break a limit or name a variant the feature lacks. Never throws VersionConflictError.
   */
  apply?(
    name: string,
    operations: readonly FeatureOperation[],
    options?: ApplyOptions,
    context?: WriteContext,
  ): Promise<ApplyResult>;

  /**
   * Push ability (`capabilities.push`): calls `listener` for every change made by
   * any process, this instance included (several clients may share one store
   * instance), with growing revisions, until the returned function is called.
   * After a gap in the channel it calls `error` while down and `resync` once back.
   * Required when `push` is true; optional otherwise.
   */
  subscribe?(listener: StoreListener): Promise<() => Promise<void>>;

  /**
   * History ability (`capabilities.history`): entries newest first (by revision), one
   * feature's or every feature's, a page at a time. Retention is bounded per feature
   * (default the last 1,000 entries of each; older ones are trimmed by the write that
   * goes past the bound). Check the query with the kit's `checkHistoryQuery`. Optional.
   */
  history?(query?: HistoryQuery): Promise<HistoryEntry[]>;

  /** Releases connections and watchers. Idempotent. Clients the store was given are not closed. */
  close(): Promise<void>;
}
