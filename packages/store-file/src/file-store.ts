import { createHash } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CorruptDataError,
  DataLostError,
  type Feature,
  type FeatureStore,
  parseFeature,
  type StoreCapabilities,
  StoreError,
  type StoreListener,
  type StoreSnapshot,
  StoreUnavailableError,
  ValidationError,
  VersionConflictError,
} from '@rollout/core';
import { writeFileAtomic } from './atomic-write.js';
import {
  EMPTY_DOCUMENT,
  type FileDocument,
  parseDocument,
  STORE_NAME,
  serializeDocument,
} from './file-format.js';
import { FileLock, LockTimeoutError } from './file-lock.js';
import { FileWatcher } from './file-watcher.js';

/** Options of {@link FileStore}. Everything but `path` is optional. */
export interface FileStoreOptions {
  /** The flags file (JSON). Relative paths are resolved against `process.cwd()` when the store is created. */
  path: string;
  /**
   * How often (ms) to check the file when `fs.watch` is unavailable or missed an
   * event, and how often clients poll `revision()` as a safety net. Default 1000.
   */
  pollInterval?: number;
  /** How long (ms) a write waits for the lock before failing with `StoreUnavailableError`. Default 15000. */
  lockTimeout?: number;
  /**
   * A lock older than this (ms) is broken even if its owner is alive (a hung or
   * remote writer). A lock whose owner process is gone (same host) is broken at
   * once. Default 10000.
   */
  staleLockTimeout?: number;
  /** Use `fs.watch` for push (default true); false: polling only. */
  watch?: boolean;
  /** Let `connect()` and writes create the file's directory (recursively). Default false. */
  createDirectory?: boolean;
}

interface CacheEntry {
  /** inode, size and change times: a new signature means the file changed. */
  readonly signature: string;
  readonly doc: FileDocument | undefined;
  readonly error: CorruptDataError | undefined;
  readonly mode: number | undefined;
}

/** What subscribers last saw: the revision and a fingerprint per feature. */
interface Seen {
  readonly doc: FileDocument;
  readonly prints: ReadonlyMap<string, string>;
}

/**
 * A store in one human-editable JSON file (see the README for the layout).
 *
 * - Reads parse and validate the whole file (cached by inode, size and mtime, so
 *   polling `revision()` is one `fstat`). A file that does not parse gives
 *   `CorruptDataError` with `path:line:column`, and is never overwritten.
 * - Writes take an inter-process lock file (`<path>.lock`), re-read the file,
 *   compare-and-set the version, bump the revision and replace the file atomically
 *   (temp file, fsync, rename, directory fsync). Writers in any number of
 *   processes lose nothing.
 * - `subscribe` watches the directory (with polling as a fallback) and reports
 *   changes made by any process or by hand.
 */
export class FileStore implements FeatureStore {
  /** Always `file`. */
  readonly name = STORE_NAME;
  /** push (watch), multiProcess and durable; no history. */
  readonly capabilities: StoreCapabilities;
  /** Absolute path of the flags file. */
  readonly path: string;
  /** Absolute path of the lock file next to it. */
  readonly lockPath: string;

  private readonly lockTimeout: number;
  private readonly staleLockTimeout: number;
  private readonly createDirectory: boolean;
  private readonly watcher: FileWatcher;

  private cache: CacheEntry | undefined;
  // Writes from this instance queue up here before contending for the file lock.
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<StoreListener>();
  private seen: Seen | undefined;
  private readonly prints = new WeakMap<FileDocument, ReadonlyMap<string, string>>();
  private checking = false;
  private recheck = false;
  private writes = 0;
  private lastErrorSignature: string | undefined;

  constructor(options: FileStoreOptions) {
    if (
      typeof options !== 'object' ||
      options === null ||
      typeof options.path !== 'string' ||
      options.path === ''
    ) {
      throw new ValidationError('path', options?.path, 'FileStore needs { path: "flags.json" }');
    }
    const pollInterval = positive('pollInterval', options.pollInterval, 1000);
    this.lockTimeout = positive('lockTimeout', options.lockTimeout, 15_000);
    this.staleLockTimeout = positive('staleLockTimeout', options.staleLockTimeout, 10_000);
    this.createDirectory = options.createDirectory ?? false;
    this.path = resolve(options.path);
    this.lockPath = `${this.path}.lock`;
    this.capabilities = {
      push: true,
      multiProcess: true,
      durable: true,
      pollIntervalMs: pollInterval,
      history: false,
    };
    this.watcher = new FileWatcher(this.path, pollInterval, options.watch ?? true, () => {
      void this.check();
    });
  }

  /**
   * Creates the directory when `createDirectory` is set, then reads the file once
   * so a corrupt file is reported at once (CorruptDataError). A missing file is fine:
   * it is an empty store, created on the first write.
   */
  async connect(): Promise<void> {
    if (this.createDirectory) await this.ensureDirectory();
    await this.load();
  }

  /** Every feature in the file and its revision, read in one go (one file, one read). */
  async snapshot(): Promise<StoreSnapshot> {
    const doc = await this.load();
    return { revision: doc.revision, features: [...doc.features.values()].map(copy) };
  }

  /** One feature, or undefined when the file (or the feature) does not exist. */
  async get(name: string): Promise<Feature | undefined> {
    const feature = (await this.load()).features.get(name);
    return feature ? copy(feature) : undefined;
  }

  /** The file's `revision` (0 when it does not exist). One `fstat` when unchanged. */
  async revision(): Promise<number> {
    return (await this.load()).revision;
  }

  /** Compare-and-set write under the file lock; see FeatureStore.put. */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    checkVersion(expectedVersion);
    // Validated and normalized before anything touches the file.
    const clean = parseFeature(feature);
    return this.write(async (doc) => {
      const current = doc.features.get(clean.name)?.version ?? 0;
      if (current !== expectedVersion) throw conflict(clean.name, current, expectedVersion);
      const stored: Feature = { ...clean, version: expectedVersion + 1 };
      const features = new Map(doc.features);
      features.set(stored.name, stored);
      return { name: stored.name, features, result: copy(stored) };
    });
  }

  /** Compare-and-delete under the file lock; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    if (expectedVersion !== undefined) checkVersion(expectedVersion);
    return this.write(async (doc) => {
      const current = doc.features.get(name);
      if (!current) {
        if (expectedVersion !== undefined && expectedVersion !== 0) {
          throw conflict(name, 0, expectedVersion);
        }
        return { name, features: undefined, result: false };
      }
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw conflict(name, current.version, expectedVersion);
      }
      const features = new Map(doc.features);
      features.delete(name);
      return { name, features, result: true };
    });
  }

  /**
   * Reports changes by any process (and hand edits) until the returned function
   * is called. A write through this instance is reported at once. Anything else
   * is found by comparing the file with what was last reported: when the revision
   * moved by one and exactly one feature differs, `change({ revision, name })`;
   * when several changed at once, the file was edited by hand, replaced or
   * deleted, `resync()`. An unreadable file is reported once through `error`
   * (a deleted file as `DataLostError`, then `resync()`).
   */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    if (this.seen === undefined) {
      try {
        this.observe(await this.load());
      } catch {
        // Reported through `error` by the first check; the snapshot load will throw it too.
      }
    }
    this.watcher.start();
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** Stops watching. Reads and writes keep working (there is no connection to close). Idempotent. */
  async close(): Promise<void> {
    this.listeners.clear();
    this.stopWatching();
  }

  // ---- internals ----

  private stopWatching(): void {
    this.watcher.stop();
    this.seen = undefined;
    this.lastErrorSignature = undefined;
  }

  private async ensureDirectory(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
    } catch (error) {
      throw this.fsError(`creating the directory ${dirname(this.path)} failed`, error);
    }
  }

  /**
   * The parsed file. Opens it, fstats the handle and re-reads only when the
   * signature changed; the stat and the read come from the same open file, so the
   * cache never pairs new stat data with old content.
   */
  private async load(fresh = false): Promise<FileDocument> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache = undefined;
        return EMPTY_DOCUMENT;
      }
      throw this.fsError(`reading ${this.path} failed`, error);
    }
    try {
      const info = await handle.stat({ bigint: true });
      const signature = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
      const cached = this.cache;
      if (!fresh && cached?.signature === signature) {
        if (cached.error) throw cached.error;
        return cached.doc as FileDocument;
      }
      const text = await handle.readFile('utf8');
      const mode = Number(info.mode);
      try {
        const doc = parseDocument(text, this.path);
        this.cache = { signature, doc, error: undefined, mode };
        return doc;
      } catch (error) {
        if (error instanceof CorruptDataError) {
          // Cached too: polling a corrupt file must not re-parse it every round.
          this.cache = { signature, doc: undefined, error, mode };
        }
        throw error;
      }
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw this.fsError(`reading ${this.path} failed`, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /**
   * Runs one read-modify-write: queued behind this instance's other writes, then
   * under the inter-process lock, on a fresh read of the file. `apply` returns the
   * new feature map (or undefined to write nothing) and the caller's result.
   */
  private write<T>(
    apply: (
      doc: FileDocument,
    ) => Promise<{ name: string; features: Map<string, Feature> | undefined; result: T }>,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      const lock = await this.lock();
      try {
        // Re-read under the lock: the version check must see the latest file.
        // A file that does not parse throws here, so it is never overwritten.
        const doc = await this.load(true);
        const { name, features, result } = await apply(doc);
        if (features === undefined) return result;
        const revision = doc.revision + 1;
        const text = serializeDocument(revision, features);
        // If we held the lock past staleLockTimeout, someone may have broken it:
        // writing now could undo their write, so give up instead.
        if (!(await lock.isHeld())) {
          throw new StoreUnavailableError(
            STORE_NAME,
            `lost the lock ${this.lockPath} (held longer than staleLockTimeout ${this.staleLockTimeout} ms); nothing was written`,
          );
        }
        try {
          await writeFileAtomic(this.path, text, this.cache?.mode);
        } catch (error) {
          throw this.fsError(`writing ${this.path} failed; the file is unchanged`, error);
        }
        this.writes++;
        const next: FileDocument = { exists: true, revision, features };
        await this.remember(next);
        this.notifyOwnWrite(next, name);
        return result;
      } finally {
        await lock.release().catch(() => undefined);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async lock(): Promise<FileLock> {
    const attempt = () =>
      FileLock.acquire(this.lockPath, {
        timeout: this.lockTimeout,
        staleAfter: this.staleLockTimeout,
      });
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        throw new StoreUnavailableError(STORE_NAME, `${error.message}; nothing was written`, {
          cause: error,
        });
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        if (this.createDirectory) {
          await this.ensureDirectory();
          return this.lock();
        }
        throw new StoreUnavailableError(
          STORE_NAME,
          `the directory ${dirname(this.path)} does not exist; create it or pass createDirectory: true`,
          { cause: error },
        );
      }
      throw this.fsError(`taking the lock ${this.lockPath} failed`, error);
    }
  }

  /** Caches what was just written, keyed by the new file's signature. */
  private async remember(doc: FileDocument): Promise<void> {
    try {
      const info = await stat(this.path, { bigint: true });
      this.cache = {
        signature: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
        doc,
        error: undefined,
        mode: Number(info.mode),
      };
    } catch {
      this.cache = undefined;
    }
  }

  private notifyOwnWrite(doc: FileDocument, name: string): void {
    if (this.listeners.size === 0) return;
    const previous = this.seen;
    this.seen = { doc, prints: this.fingerprints(doc) };
    // Another process wrote since we last looked: one `change` would hide its write.
    const event =
      previous !== undefined && doc.revision === previous.doc.revision + 1
        ? { revision: doc.revision, name }
        : undefined;
    this.emit((l) => (event ? l.change(event) : l.resync()));
  }

  /** Re-reads the file (after a watch event or a poll) and reports what changed. Never overlaps itself. */
  private async check(): Promise<void> {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    let retried = false;
    try {
      do {
        this.recheck = false;
        if (this.listeners.size === 0) return;
        const writesBefore = this.writes;
        let doc: FileDocument;
        try {
          doc = await this.load();
        } catch (error) {
          if (error instanceof CorruptDataError && !retried) {
            // Editors that save in place truncate, then write: give the save a moment
            // to finish before calling the file corrupt.
            retried = true;
            this.recheck = true;
            await sleep(HALF_SAVED_RETRY_MS);
            continue;
          }
          this.reportError(error);
          continue;
        }
        retried = false;
        // Our own write landed while we were reading: this read may predate it.
        if (this.writes !== writesBefore) {
          this.recheck = true;
          continue;
        }
        this.observe(doc);
      } while (this.recheck);
    } finally {
      this.checking = false;
    }
  }

  private reportError(error: unknown): void {
    const storeError =
      error instanceof StoreError ? error : this.fsError(`reading ${this.path} failed`, error);
    const signature = `${storeError.code}:${storeError.message}`;
    if (signature === this.lastErrorSignature) return;
    this.lastErrorSignature = signature;
    this.emit((l) => l.error(storeError));
  }

  /** Compares `doc` with what subscribers last saw and notifies them. */
  private observe(doc: FileDocument): void {
    const previous = this.seen;
    if (previous?.doc === doc && this.lastErrorSignature === undefined) return;
    const prints = this.fingerprints(doc);
    this.seen = { doc, prints };
    const recovered = this.lastErrorSignature !== undefined;
    this.lastErrorSignature = undefined;
    if (previous === undefined) {
      if (recovered) this.emit((l) => l.resync());
      return;
    }
    if (previous.doc.exists && !doc.exists) {
      const lost = new DataLostError(
        STORE_NAME,
        `${this.path} was deleted; the store is empty until it is written again`,
      );
      this.emit((l) => l.error(lost));
    }
    const changed: string[] = [];
    for (const [name, print] of prints) if (previous.prints.get(name) !== print) changed.push(name);
    for (const name of previous.prints.keys()) if (!prints.has(name)) changed.push(name);
    const only = changed.length === 1 ? changed[0] : undefined;
    if (only !== undefined && doc.revision === previous.doc.revision + 1 && !recovered) {
      const event = { revision: doc.revision, name: only };
      this.emit((l) => l.change(event));
    } else if (changed.length > 0 || doc.revision !== previous.doc.revision || recovered) {
      this.emit((l) => l.resync());
    }
  }

  /** A content hash per feature, so hand edits that keep the version are noticed too. */
  private fingerprints(doc: FileDocument): ReadonlyMap<string, string> {
    let prints = this.prints.get(doc);
    if (prints === undefined) {
      const map = new Map<string, string>();
      for (const [name, feature] of doc.features) {
        map.set(name, createHash('sha1').update(JSON.stringify(feature)).digest('base64'));
      }
      prints = map;
      this.prints.set(doc, prints);
    }
    return prints;
  }

  private emit(call: (listener: StoreListener) => void): void {
    // Delivered asynchronously, so a writer never re-enters its own listener.
    for (const listener of [...this.listeners]) queueMicrotask(() => call(listener));
  }

  private fsError(what: string, error: unknown): StoreError {
    // Node's messages already start with the code: "EACCES: permission denied, open '...'".
    const detail = error instanceof Error ? error.message : String(error);
    return new StoreError(STORE_NAME, `${what}: ${detail}`, { cause: error });
  }
}

// How long a watcher waits before re-reading a file that did not parse (likely mid-save).
const HALF_SAVED_RETRY_MS = 50;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function copy(feature: Feature): Feature {
  return structuredClone(feature);
}

function checkVersion(version: number): void {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new ValidationError('expectedVersion', version, 'must be a non-negative integer');
  }
}

function conflict(name: string, stored: number, expected: number): VersionConflictError {
  return new VersionConflictError(
    name,
    `[rollout] [file] feature ${JSON.stringify(name)} is at version ${stored}, not ${expected}: another writer changed it`,
  );
}

function positive(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, value, 'must be a positive number of milliseconds');
  }
  return value;
}
