import {
  ClosedError,
  CorruptDataError,
  DataLostError,
  type Feature,
  type FeatureStore,
  parseFeature,
  type StoreCapabilities,
  StoreError,
  type StoreSnapshot,
  ValidationError,
  VersionConflictError,
} from '@rollout/core';
import type { Client } from 'memjs';
import memjs from 'memjs';
import { type Item, Memcache, STORE_NAME, Status } from './binary-protocol.js';
import {
  decodeIndex,
  decodeSentinel,
  encodeIndex,
  encodeSentinel,
  type IndexEntry,
  Keys,
  newToken,
  type Sentinel,
  split,
  validatePrefix,
} from './store-layout.js';

/** Options of {@link MemcacheStore}. Either `servers` or `client`. */
export interface MemcacheStoreOptions {
  /**
   * Servers as memjs takes them: `"host:port"` or `"host1:port1,host2:port2"`,
   * optionally `user:pass@host:port` for SASL. Default: memjs' own default
   * (`MEMCACHIER_SERVERS`, `MEMCACHE_SERVERS`, then `localhost:11211`).
   */
  servers?: string;
  /**
   * A memjs Client the application owns. The store sends its own requests through it
   * (with memjs' retries off per request) and never closes it. Do not enable memjs
   * `failover`: keys moving between servers breaks compare-and-set.
   */
  client?: Client;
  /** Prefix of every key, so several apps or environments share one memcached. Default `rollout:`. */
  prefix?: string;
  /**
   * Expiration of every key, in seconds; 0 (the default) means never. Each write
   * refreshes the expiration of all the store's keys, so the data vanishes as a whole
   * `expires` seconds after the last write; that is then reported as data loss.
   * At most 30 days (memcached reads larger numbers as a Unix time).
   */
  expires?: number;
  /** How often clients poll the revision, in ms. Default 500. */
  pollInterval?: number;
  /**
   * Per-request timeout in ms (memjs' `timeout` for the client the store creates; with
   * a given client, the store still gives up on a request after this plus one second).
   * Default 2000.
   */
  timeout?: number;
  /**
   * Largest value written as one memcached item, in bytes. Feature records are split
   * into chunks of this size; the index must fit in one. Default 1,000,000 (memcached's
   * default item size limit, `-I 1m`, is 1,048,576 bytes including key and header).
   */
  itemBytes?: number;
  /**
   * When the data vanished (restart, flush, eviction), restore it from the features
   * this store last read, on the first operation after the loss was reported.
   * Default true. With false, the store keeps throwing DataLostError until `restore()`
   * is called (by this or another process).
   */
  restoreOnLoss?: boolean;
}

/** Seconds an overwritten record stays readable for readers that fetched the older index. */
const RETIRED_TTL = 30;
/** memcached treats expirations above 30 days as Unix times. */
const MAX_EXPIRES = 60 * 60 * 24 * 30;
/** Attempts of the index compare-and-set while other features change concurrently. */
const INDEX_ATTEMPTS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Outcome of reading one record. */
type ReadResult = { feature: Feature } | { missing: true };

/**
 * Feature store on memcached (memjs, binary protocol).
 *
 * Layout, under `prefix`: `sentinel` (written when the namespace is initialized),
 * `revision` (a counter), `index` (every feature's name, version and record token),
 * and `record:<token>:<n>` (the feature's JSON in chunks; a fresh random token per
 * write, so records are immutable). Writes are a true compare-and-set across
 * processes: memcached CAS on the index key. Clients poll the revision (no push).
 *
 * memcached may evict or forget everything: when the sentinel, the index, the
 * revision or a record vanishes, reads and writes throw DataLostError (the client
 * keeps its last snapshot and reports itself stale) until the data is restored,
 * by `restore()` or automatically (`restoreOnLoss`).
 */
export class MemcacheStore implements FeatureStore {
  /** `memcache`, as named in errors. */
  readonly name = STORE_NAME;
  /** No push (clients poll the revision), multi-process, not durable, no history. */
  readonly capabilities: StoreCapabilities;
  /** The key prefix in use. */
  readonly prefix: string;

  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly mc: Memcache;
  private readonly keys: Keys;
  private readonly expires: number;
  private readonly itemBytes: number;
  private readonly restoreOnLoss: boolean;

  private connecting: Promise<void> | undefined;
  private closed = false;
  /** Id of the sentinel (incarnation of the data) this store knows. */
  private generation: string | undefined;
  /** Set when a loss was detected and not yet resolved by a successful snapshot or restore. */
  private lost: DataLostError | undefined;
  /** The last full snapshot was taken (there is something to restore from). */
  private seenSnapshot = false;
  /** A write was applied but bumping the revision failed: bump on the next chance. */
  private pendingBump = false;
  private lastRevision = 0;
  /** Revision of the last snapshot, and its entries, for the record probe of `revision()`. */
  private snapshotRevision = -1;
  private probeList: IndexEntry[] = [];
  private probeCursor = 0;
  /** Records by token. Tokens are never reused, so an entry is valid as long as the token is indexed. */
  private readonly records = new Map<string, Feature>();
  /** The latest version of every feature this store knows, kept to restore from. */
  private readonly known = new Map<string, Feature>();

  constructor(options: MemcacheStoreOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('options', options, 'must be an object');
    }
    this.prefix = validatePrefix(options.prefix ?? 'rollout:');
    this.expires = checkInteger('expires', options.expires ?? 0, 0, MAX_EXPIRES);
    this.itemBytes = checkInteger(
      'itemBytes',
      options.itemBytes ?? 1_000_000,
      1024,
      128 * 1024 * 1024,
    );
    const pollIntervalMs = checkInteger('pollInterval', options.pollInterval ?? 500, 1, 86_400_000);
    const timeout = checkInteger('timeout', options.timeout ?? 2000, 1, 600_000);
    this.restoreOnLoss = options.restoreOnLoss ?? true;
    this.capabilities = {
      push: false,
      multiProcess: true,
      durable: false,
      pollIntervalMs,
      history: false,
    };
    if (options.client !== undefined) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      if (
        options.servers !== undefined &&
        (typeof options.servers !== 'string' || options.servers.trim() === '')
      ) {
        throw new ValidationError(
          'servers',
          options.servers,
          'must be a string such as "127.0.0.1:11211"',
        );
      }
      this.client = memjs.Client.create(options.servers, {
        // One attempt per request (see Memcache); a down server fails at once with ECONNREFUSED.
        retries: 1,
        failover: false,
        timeout: timeout / 1000,
        conntimeout: timeout / 1000,
        keepAlive: true,
        // memjs logs every failure to the console by default; errors reach the caller typed instead.
        logger: { log: () => undefined },
      });
      this.ownsClient = true;
    }
    // memjs' own timeout fires first; the guard only catches requests memjs would never settle.
    this.mc = new Memcache(this.client, timeout + 1000);
    this.keys = new Keys(this.prefix);
  }

  /**
   * Reads the sentinel, and initializes an empty namespace (sentinel, revision 0,
   * empty index) when there is none. Idempotent.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('memcache store'));
    this.connecting ??= this.init().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Every feature and the revision, read from one version of the index. */
  async snapshot(): Promise<StoreSnapshot> {
    await this.prepare();
    for (let attempt = 0; ; attempt++) {
      const [sentinel, rev] = await Promise.all([
        this.mc.get(this.keys.sentinel),
        this.mc.get(this.keys.revision),
      ]);
      this.checkSentinel(sentinel);
      // The revision is read before the index, and writers bump it after the index:
      // the snapshot holds at least every write up to `revision`.
      const revision = this.parseRevision(rev);
      const index = await this.readIndex();
      const results = await Promise.all([...index.entries.values()].map((e) => this.readRecord(e)));
      if (results.some((r) => 'missing' in r)) {
        // A concurrent writer may have retired a record after we read the index: try again.
        if (attempt < 10 && (await this.indexChanged(index.item))) continue;
        const missing = [...index.entries.values()].filter(
          (_, i) => results[i] && 'missing' in results[i],
        );
        throw this.markLost(
          `the record of feature ${JSON.stringify(missing[0]?.name)} vanished (evicted, or memcached lost data)`,
        );
      }
      const features = results.map((r) => (r as { feature: Feature }).feature);
      this.pruneRecords(index.entries);
      this.probeList = [...index.entries.values()];
      this.snapshotRevision = revision;
      this.known.clear();
      for (const f of features) this.known.set(f.name, f);
      this.seenSnapshot = true;
      this.lost = undefined;
      this.lastRevision = Math.max(this.lastRevision, revision);
      return { revision, features: features.map(copy) };
    }
  }

  /** One feature, or undefined. */
  async get(name: string): Promise<Feature | undefined> {
    await this.prepare();
    for (let attempt = 0; ; attempt++) {
      const [sentinel, item] = await Promise.all([
        this.mc.get(this.keys.sentinel),
        this.mc.get(this.keys.index),
      ]);
      this.checkSentinel(sentinel);
      if (!item) throw this.markLost('the index vanished (evicted, or memcached lost data)');
      const entry = decodeIndex(item.value, this.keys.index).get(name);
      if (!entry) {
        this.known.delete(name);
        return undefined;
      }
      const result = await this.readRecord(entry);
      if ('missing' in result) {
        if (attempt < 10 && (await this.indexChanged(item))) continue;
        throw this.markLost(
          `the record of feature ${JSON.stringify(name)} vanished (evicted, or memcached lost data)`,
        );
      }
      this.known.set(name, result.feature);
      return copy(result.feature);
    }
  }

  /** The revision counter. Also checks that the sentinel and the index still exist. */
  async revision(): Promise<number> {
    await this.prepare();
    if (this.pendingBump) await this.bumpRevision();
    const [sentinel, rev, indexExists] = await Promise.all([
      this.mc.get(this.keys.sentinel),
      this.mc.get(this.keys.revision),
      // touch with the current expiration: an existence check that does not fetch the index.
      this.expires === 0 ? this.mc.touch(this.keys.index, 0) : Promise.resolve(true),
    ]);
    this.checkSentinel(sentinel);
    const revision = this.parseRevision(rev);
    if (!indexExists) throw this.markLost('the index vanished (evicted, or memcached lost data)');
    this.lastRevision = Math.max(this.lastRevision, revision);
    if (revision === this.snapshotRevision) await this.probeOneRecord();
    return revision;
  }

  /**
   * Records are cached by this store and so rarely read again: an evicted record
   * would go unnoticed until a new process starts. Each poll therefore checks that
   * one record of the last snapshot still exists (round robin), with a touch that
   * fetches nothing and keeps the record warm in memcached's LRU. Only done while the
   * revision equals the snapshot's, so the entry probed is still the current one.
   */
  private async probeOneRecord(): Promise<void> {
    if (this.probeList.length === 0) return;
    this.probeCursor = (this.probeCursor + 1) % this.probeList.length;
    const entry = this.probeList[this.probeCursor];
    if (!entry) return;
    if (await this.recordExists(entry)) return;
    // recordExists forgot the cached copy, so the next snapshot reads (and reports) the loss itself.
    this.snapshotRevision = -1;
    throw this.markLost(
      `the record of feature ${JSON.stringify(entry.name)} vanished (evicted, or memcached lost data)`,
    );
  }

  /** Compare-and-set write; see FeatureStore.put. Atomic across processes (memcached CAS on the index). */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    await this.prepare();
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new ValidationError(
        'expectedVersion',
        expectedVersion,
        'must be a non-negative integer',
      );
    }
    const stored = parseFeature(structuredClone(feature));
    stored.version = expectedVersion + 1;
    const name = stored.name;
    // Cheap early check, before writing a possibly large record.
    const first = await this.readIndexChecked();
    if ((first.entries.get(name)?.version ?? 0) !== expectedVersion)
      throw new VersionConflictError(name);

    const entry = await this.writeRecord(stored, stored.version);
    let previous: IndexEntry | undefined;
    try {
      await this.updateIndex(name, (index) => {
        previous = index.get(name);
        if ((previous?.version ?? 0) !== expectedVersion) throw new VersionConflictError(name);
        index.set(name, entry);
        return index;
      });
    } catch (error) {
      void this.deleteRecord(entry);
      throw error;
    }
    this.records.set(entry.token, stored);
    this.known.set(name, stored);
    await this.afterWrite(previous);
    return copy(stored);
  }

  /** Compare-and-delete; see FeatureStore.remove. Atomic across processes. */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    await this.prepare();
    let previous: IndexEntry | undefined;
    await this.updateIndex(name, (index) => {
      previous = index.get(name);
      if (!previous) {
        if (expectedVersion !== undefined && expectedVersion !== 0)
          throw new VersionConflictError(name);
        return undefined;
      }
      if (expectedVersion !== undefined && previous.version !== expectedVersion) {
        throw new VersionConflictError(name);
      }
      index.delete(name);
      return index;
    });
    if (!previous) return false;
    this.known.delete(name);
    await this.afterWrite(previous);
    return true;
  }

  /**
   * Brings features back after the data vanished, and marks the data as restored so
   * other processes that saw the loss resume (they adopt the restored data). Merges:
   * features present and readable in memcache are kept as they are; a given feature
   * is written when it is missing (or its record vanished), keeping its version (at
   * least one above any version it had); index entries whose record vanished and
   * that are not given are dropped. Works on a healthy store too (then it only adds
   * what is missing). Returns the names written.
   */
  async restore(features: readonly Feature[]): Promise<string[]> {
    if (this.closed) throw new ClosedError('memcache store');
    const wanted = new Map<string, Feature>();
    for (const f of features) {
      const parsed = parseFeature(structuredClone(f));
      parsed.version = Math.max(1, parsed.version);
      wanted.set(parsed.name, parsed);
    }
    let sentinel = await this.readSentinel();
    if (!sentinel) sentinel = await this.initialize(this.lastRevision);
    // Either may be missing after an eviction; `add` never overwrites a live one.
    await this.mc.add(this.keys.revision, Buffer.from(String(this.lastRevision)), this.expires);
    await this.mc.add(this.keys.index, encodeIndex([]), this.expires);

    let restored: string[] = [];
    let changed = false;
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      const item = await this.mc.get(this.keys.index);
      if (!item) {
        await this.mc.add(this.keys.index, encodeIndex([]), this.expires);
        continue;
      }
      const current = decodeIndex(item.value, this.keys.index);
      const next = new Map<string, IndexEntry>();
      const written: IndexEntry[] = [];
      restored = [];
      const entries = [...current.values()];
      const exists = await Promise.all(entries.map((e) => this.recordExists(e)));
      entries.forEach((e, i) => {
        if (exists[i]) next.set(e.name, e);
      });
      for (const f of wanted.values()) {
        if (next.has(f.name)) continue;
        const version = Math.max(f.version, (current.get(f.name)?.version ?? 0) + 1);
        const record = { ...f, version };
        const entry = await this.writeRecord(record, version);
        written.push(entry);
        this.records.set(entry.token, record);
        next.set(f.name, entry);
        restored.push(f.name);
      }
      changed = restored.length > 0 || next.size !== current.size;
      if (!changed) break;
      const status = await this.mc.set(
        this.keys.index,
        this.encodeIndexChecked(next),
        this.expires,
        item.cas,
      );
      if (status === Status.OK) break;
      for (const e of written) void this.deleteRecord(e);
      await sleep(Math.random() * 20);
      if (attempt === INDEX_ATTEMPTS - 1) {
        throw new StoreError(STORE_NAME, 'restore gave up: the index kept changing under it');
      }
    }
    if (changed) await this.bumpRevision();
    // Mark the incarnation as restored (compare-and-set: never clobber a newer sentinel).
    const latest = await this.mc.get(this.keys.sentinel);
    if (latest) {
      const s = decodeSentinel(latest.value, this.keys.sentinel);
      const marked: Sentinel = { ...s, restoredAt: new Date().toISOString() };
      await this.mc.set(this.keys.sentinel, encodeSentinel(marked), this.expires, latest.cas);
      sentinel = s;
    }
    this.generation = sentinel.id;
    this.lost = undefined;
    return restored;
  }

  /** Closes the connections of a client the store created; a given client stays open. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    if (this.ownsClient) this.client.close();
  }

  // ---- internals ----

  private async init(): Promise<void> {
    const sentinel = await this.readSentinel();
    this.generation = sentinel ? sentinel.id : (await this.initialize(0)).id;
  }

  /**
   * Creates an empty namespace. Everything is written with `add`, so concurrent
   * initializers (or live data) are never overwritten; the sentinel goes last, and
   * the one that lands is the one everybody adopts.
   */
  private async initialize(revision: number): Promise<Sentinel> {
    const fresh: Sentinel = { format: 1, id: newToken(), createdAt: new Date().toISOString() };
    await this.mc.add(this.keys.revision, Buffer.from(String(revision)), this.expires);
    await this.mc.add(this.keys.index, encodeIndex([]), this.expires);
    if (await this.mc.add(this.keys.sentinel, encodeSentinel(fresh), this.expires)) return fresh;
    const existing = await this.readSentinel();
    if (!existing) {
      throw new StoreError(
        STORE_NAME,
        'the sentinel could be neither created nor read (evicted at once?)',
      );
    }
    return existing;
  }

  /** Connects, and after a reported loss restores from what this store last read (restoreOnLoss). */
  private async prepare(): Promise<void> {
    await this.connect();
    if (this.lost && this.restoreOnLoss && this.seenSnapshot) {
      await this.restore([...this.known.values()]);
    }
  }

  private async readSentinel(): Promise<Sentinel | undefined> {
    const item = await this.mc.get(this.keys.sentinel);
    return item ? decodeSentinel(item.value, this.keys.sentinel) : undefined;
  }

  private checkSentinel(item: Item | undefined): void {
    if (!item) {
      throw this.markLost(
        'the sentinel vanished: memcached restarted, was flushed or evicted the data',
      );
    }
    const sentinel = decodeSentinel(item.value, this.keys.sentinel);
    if (this.generation === undefined || sentinel.id === this.generation) {
      this.generation = sentinel.id;
      return;
    }
    if (sentinel.restoredAt !== undefined) {
      // Another process restored the data after the loss: adopt it.
      this.generation = sentinel.id;
      return;
    }
    throw this.markLost(
      'the data vanished and was re-created empty by another process (new sentinel); call restore() to bring features back',
    );
  }

  private markLost(problem: string): DataLostError {
    const error = new DataLostError(
      STORE_NAME,
      `${problem} (prefix ${JSON.stringify(this.prefix)}); serving the last snapshot until the data is restored`,
    );
    this.lost = error;
    return error;
  }

  private parseRevision(item: Item | undefined): number {
    if (!item)
      throw this.markLost('the revision counter vanished (evicted, or memcached lost data)');
    const text = item.value.toString('ascii').trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
      throw new CorruptDataError(
        STORE_NAME,
        this.keys.revision,
        `not a counter: ${JSON.stringify(text.slice(0, 40))}`,
      );
    }
    return n;
  }

  private async readIndex(): Promise<{ item: Item; entries: Map<string, IndexEntry> }> {
    const item = await this.mc.get(this.keys.index);
    if (!item) throw this.markLost('the index vanished (evicted, or memcached lost data)');
    return { item, entries: decodeIndex(item.value, this.keys.index) };
  }

  private async readIndexChecked(): Promise<{ item: Item; entries: Map<string, IndexEntry> }> {
    const [sentinel, item] = await Promise.all([
      this.mc.get(this.keys.sentinel),
      this.mc.get(this.keys.index),
    ]);
    this.checkSentinel(sentinel);
    if (!item) throw this.markLost('the index vanished (evicted, or memcached lost data)');
    return { item, entries: decodeIndex(item.value, this.keys.index) };
  }

  private async indexChanged(before: Item): Promise<boolean> {
    const now = await this.mc.get(this.keys.index);
    return now !== undefined && !now.cas.equals(before.cas);
  }

  private encodeIndexChecked(index: Map<string, IndexEntry>): Buffer {
    const bytes = encodeIndex(index.values());
    if (bytes.length > this.itemBytes) {
      throw new StoreError(
        STORE_NAME,
        `the index of ${index.size} features would take ${bytes.length} bytes, over itemBytes (${this.itemBytes}); ` +
          'raise memcached -I and itemBytes, or use a store without an item size limit',
      );
    }
    return bytes;
  }

  /**
   * Compare-and-set of the index: reads it, applies `change` (which may throw a
   * VersionConflictError, or return undefined for "nothing to do"), and writes it
   * only if nobody wrote the index in between; otherwise re-reads and decides again.
   */
  private async updateIndex(
    name: string,
    change: (index: Map<string, IndexEntry>) => Map<string, IndexEntry> | undefined,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
      const { item, entries } = await this.readIndexChecked();
      const next = change(entries);
      if (next === undefined) return false;
      const status = await this.mc.set(
        this.keys.index,
        this.encodeIndexChecked(next),
        this.expires,
        item.cas,
      );
      if (status === Status.OK) return true;
      if (status === Status.KEY_NOT_FOUND) throw this.markLost('the index vanished during a write');
      // KEY_EXISTS: another feature's write landed first. Jitter so contenders spread out.
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
    throw new VersionConflictError(
      name,
      `[rollout] [memcache] gave up writing ${JSON.stringify(name)}: the index kept changing (${INDEX_ATTEMPTS} attempts)`,
    );
  }

  /** Writes a record under a fresh token, in chunks of at most itemBytes. */
  private async writeRecord(feature: Feature, version: number): Promise<IndexEntry> {
    const bytes = Buffer.from(JSON.stringify({ ...feature, version }), 'utf8');
    const chunks = split(bytes, this.itemBytes);
    const entry: IndexEntry = {
      name: feature.name,
      version,
      token: newToken(),
      parts: chunks.length,
      bytes: bytes.length,
    };
    try {
      await Promise.all(
        chunks.map((c, i) => this.mc.set(this.keys.chunk(entry.token, i), c, this.expires)),
      );
    } catch (error) {
      void this.deleteRecord(entry);
      if (error instanceof StoreError && error.message.includes('too large')) {
        throw new StoreError(
          STORE_NAME,
          `memcached refused a ${Math.min(bytes.length, this.itemBytes)}-byte item: itemBytes (${this.itemBytes}) is above the server's item size limit (memcached -I)`,
          { cause: error },
        );
      }
      throw error;
    }
    return entry;
  }

  private async readRecord(entry: IndexEntry): Promise<ReadResult> {
    const cached = this.records.get(entry.token);
    if (cached) return { feature: cached };
    const parts = await Promise.all(
      Array.from({ length: entry.parts }, (_, i) => this.mc.get(this.keys.chunk(entry.token, i))),
    );
    if (parts.some((p) => p === undefined)) return { missing: true };
    const bytes = Buffer.concat(parts.map((p) => (p as Item).value));
    const location = this.keys.chunk(entry.token, 0);
    if (bytes.length !== entry.bytes) {
      throw new CorruptDataError(
        STORE_NAME,
        location,
        `record is ${bytes.length} bytes, the index says ${entry.bytes}`,
      );
    }
    let feature: Feature;
    try {
      feature = parseFeature(JSON.parse(bytes.toString('utf8')));
    } catch (error) {
      throw new CorruptDataError(
        STORE_NAME,
        location,
        `not a feature record: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (feature.name !== entry.name || feature.version !== entry.version) {
      throw new CorruptDataError(STORE_NAME, location, 'the record does not match its index entry');
    }
    this.records.set(entry.token, feature);
    return { feature };
  }

  /** Whether every chunk of a record exists (a touch: nothing is fetched). Ignores this store's cache. */
  private async recordExists(entry: IndexEntry): Promise<boolean> {
    const found = await Promise.all(
      Array.from({ length: entry.parts }, (_, i) =>
        this.mc.touch(this.keys.chunk(entry.token, i), this.expires),
      ),
    );
    if (found.every(Boolean)) return true;
    this.records.delete(entry.token);
    return false;
  }

  private async deleteRecord(entry: IndexEntry): Promise<void> {
    await Promise.all(
      Array.from({ length: entry.parts }, (_, i) =>
        this.mc.delete(this.keys.chunk(entry.token, i)),
      ),
    ).catch(() => undefined);
  }

  /** After a committed write: bump the revision, retire the old record, refresh expirations. */
  private async afterWrite(previous: IndexEntry | undefined): Promise<void> {
    await this.bumpRevision();
    if (previous) {
      this.records.delete(previous.token);
      // Not deleted at once: a reader holding the previous index may still fetch it.
      const ttl = this.expires === 0 ? RETIRED_TTL : Math.min(RETIRED_TTL, this.expires);
      void Promise.all(
        Array.from({ length: previous.parts }, (_, i) =>
          this.mc.touch(this.keys.chunk(previous.token, i), ttl),
        ),
      ).catch(() => undefined);
    }
    if (this.expires > 0) void this.refreshExpirations().catch(() => undefined);
  }

  /**
   * The write is applied once the index is swapped; a failure to bump the revision
   * is not a failed write (other clients see it on the next bump), so it is retried
   * later rather than thrown.
   */
  private async bumpRevision(): Promise<void> {
    try {
      const value = await this.mc.increment(this.keys.revision);
      if (value === undefined) {
        this.markLost('the revision counter vanished (evicted, or memcached lost data)');
        return;
      }
      this.pendingBump = false;
      this.lastRevision = Math.max(this.lastRevision, value);
    } catch {
      this.pendingBump = true;
    }
  }

  private async refreshExpirations(): Promise<void> {
    const { entries } = await this.readIndex();
    const keys = [this.keys.sentinel, this.keys.revision, this.keys.index];
    for (const e of entries.values())
      for (let i = 0; i < e.parts; i++) keys.push(this.keys.chunk(e.token, i));
    await Promise.all(keys.map((k) => this.mc.touch(k, this.expires)));
  }

  private pruneRecords(entries: Map<string, IndexEntry>): void {
    const live = new Set<string>();
    for (const e of entries.values()) live.add(e.token);
    for (const token of this.records.keys()) if (!live.has(token)) this.records.delete(token);
  }
}

function copy(feature: Feature): Feature {
  return structuredClone(feature);
}

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}
