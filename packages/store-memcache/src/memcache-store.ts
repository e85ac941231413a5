import {
  type Feature,
  type FeatureStore,
  parseFeature,
  type StoreCapabilities,
  type StoreSnapshot,
} from '@rollout/core';
import {
  ClosedGuard,
  checkExpectedVersion,
  copyFeature,
  versionConflict,
} from '@rollout/core/store';
import type { Client } from 'memjs';
import { Memcache } from './binary-protocol.js';
import { ChunkedRecords } from './chunked-record.js';
import { ConflictPacing } from './conflict-pacing.js';
import { openClient } from './connection.js';
import { DataLoss } from './data-loss.js';
import { STORE_NAME } from './errors.js';
import { IndexShards } from './index-shards.js';
import { type IndexEntry, Keys } from './layout.js';
import { type MemcacheStoreOptions, resolveOptions } from './options.js';
import { RecordProbe } from './record-probe.js';
import { Restorer } from './restore.js';
import { RevisionCounter } from './revision-counter.js';

/**
 * Reads that found a record missing retry this often when its shard changed meanwhile
 * (the record was replaced, and the one replaced is deleted at once).
 */
const READ_ATTEMPTS = 50;

/**
 * Feature store on memcached (memjs, binary protocol).
 *
 * Layout, under `prefix`: `sentinel` (written when the namespace is initialized),
 * `revision` (a counter), `index:<s>` (256 shards of the index: every feature's name,
 * version and record token), and `record:<token>:<n>` (the feature's JSON in chunks;
 * a fresh random token per write, so records are immutable; the replaced one is
 * deleted). Writes are a true compare-and-set across processes: memcached CAS on the
 * feature's index shard. Clients poll the revision (no push).
 *
 * memcached may evict or forget everything: when the sentinel, the index, the
 * revision or a record vanishes, reads and writes throw DataLostError (the client
 * keeps its last snapshot and reports itself stale) until the data is restored,
 * by `restore()` or automatically (`restoreOnLoss`). After `close()`, every member
 * rejects with ClosedError.
 */
export class MemcacheStore implements FeatureStore {
  /** `memcache`, as named in errors. */
  readonly name = STORE_NAME;
  /** No push (clients poll the revision), multi-process, not durable, no history. */
  readonly capabilities: StoreCapabilities;
  /** The key prefix in use. */
  readonly prefix: string;

  private readonly guard = new ClosedGuard(STORE_NAME);
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly mc: Memcache;
  private readonly keys: Keys;
  /** Seconds every key lives after the last write; 0 for never. */
  private readonly expires: number;
  private readonly loss: DataLoss;
  private readonly counter: RevisionCounter;
  private readonly index: IndexShards;
  private readonly pacing = new ConflictPacing();
  private readonly records: ChunkedRecords;
  private readonly probe: RecordProbe;
  private readonly restorer: Restorer;
  private connecting: Promise<void> | undefined;

  constructor(options: MemcacheStoreOptions = {}) {
    const { prefix, expires, itemBytes, pollIntervalMs, timeout, restoreOnLoss } =
      resolveOptions(options);
    this.prefix = prefix;
    this.expires = expires;
    this.capabilities = {
      push: false,
      multiProcess: true,
      durable: false,
      pollIntervalMs,
      history: false,
    };
    const { client, owned } = openClient(options, timeout);
    this.client = client;
    this.ownsClient = owned;
    // memjs' own timeout fires first; the guard only catches requests memjs would never settle.
    this.mc = new Memcache(client, timeout + 1000);
    this.keys = new Keys(prefix);
    this.loss = new DataLoss(prefix, this.keys.sentinel);
    this.counter = new RevisionCounter(this.mc, this.keys, expires, this.loss);
    this.index = new IndexShards(this.mc, this.keys, expires, itemBytes, this.loss);
    this.records = new ChunkedRecords(this.mc, this.keys, expires, itemBytes);
    this.probe = new RecordProbe(
      this.records,
      this.loss,
      async (revision) => this.counter.parse(await this.mc.get(this.keys.revision)) === revision,
    );
    const { mc, keys, loss, counter, index, records } = this;
    this.restorer = new Restorer(
      { mc, keys, expires, loss, counter, index, records },
      restoreOnLoss,
    );
  }

  /**
   * Reads the sentinel, and initializes an empty namespace (sentinel, revision 0,
   * empty index) when there is none. Idempotent.
   */
  async connect(): Promise<void> {
    this.guard.assertOpen();
    this.connecting ??= this.restorer.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Every feature and the revision: the index shards read after the revision, then their records. */
  async snapshot(): Promise<StoreSnapshot> {
    await this.prepare();
    for (let attempt = 0; ; attempt++) {
      const [sentinel, rev] = await Promise.all([
        this.mc.get(this.keys.sentinel),
        this.mc.get(this.keys.revision),
      ]);
      this.loss.check(sentinel);
      // The revision is read before the index, and writers bump it after the index:
      // the snapshot holds at least every write up to `revision`.
      const revision = this.counter.parse(rev);
      const { shards, entries } = await this.index.readAll();
      const listed = [...entries.values()];
      const read = await Promise.all(listed.map((e) => this.records.read(e)));
      const features = read.filter((f): f is Feature => f !== undefined);
      if (features.length < listed.length) {
        // A concurrent writer may have replaced (and deleted) a record after we read its
        // shard: try again. Unchanged shard: the record really vanished.
        const missing = listed[read.indexOf(undefined)] as IndexEntry;
        const shard = shards.find((s) => s.entries.get(missing.name) === missing);
        if (attempt < READ_ATTEMPTS && shard && (await this.index.changedSince(shard))) continue;
        throw this.loss.recordVanished(missing.name);
      }
      this.records.prune(entries);
      this.probe.track(revision, listed);
      this.restorer.rememberAll(features);
      this.loss.resolved();
      return { revision, features: features.map(copyFeature) };
    }
  }

  /** One feature, or undefined. */
  async get(name: string): Promise<Feature | undefined> {
    await this.prepare();
    for (let attempt = 0; ; attempt++) {
      const shard = await this.index.readChecked(name);
      const entry = shard.entries.get(name);
      if (!entry) {
        this.restorer.forget(name);
        return undefined;
      }
      const feature = await this.records.read(entry);
      if (feature === undefined) {
        if (attempt < READ_ATTEMPTS && (await this.index.changedSince(shard))) continue;
        throw this.loss.recordVanished(name);
      }
      this.restorer.remember(feature);
      return copyFeature(feature);
    }
  }

  /**
   * The revision counter. Also checks that the sentinel and the index still exist,
   * and probes one record of the last snapshot (see RecordProbe).
   */
  async revision(): Promise<number> {
    await this.prepare();
    await this.counter.settle();
    const [sentinel, rev, indexExists] = await Promise.all([
      this.mc.get(this.keys.sentinel),
      this.mc.get(this.keys.revision),
      this.index.exists(),
    ]);
    this.loss.check(sentinel);
    const revision = this.counter.parse(rev);
    if (!indexExists) throw this.loss.vanished('an index shard');
    await this.probe.poll(revision);
    return revision;
  }

  /**
   * Compare-and-set write; see FeatureStore.put. Atomic across processes (memcached CAS
   * on the feature's index shard). A conflict is reported after a pause sized by the
   * contention observed (see ConflictPacing), so the caller's retries spread out.
   */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    await this.prepare();
    checkExpectedVersion(expectedVersion);
    return this.pacing.run(() => this.write(feature, expectedVersion));
  }

  private async write(feature: Feature, expectedVersion: number): Promise<Feature> {
    const stored = parseFeature(copyFeature(feature));
    stored.version = expectedVersion + 1;
    const name = stored.name;
    // Cheap early check, before writing a possibly large record.
    const first = await this.index.readChecked(stored.name);
    const current = first.entries.get(name)?.version ?? 0;
    if (current !== expectedVersion)
      throw versionConflict(STORE_NAME, name, expectedVersion, current);

    const entry = await this.records.write(stored, stored.version);
    let previous: IndexEntry | undefined;
    try {
      await this.index.update(
        name,
        (entries) => {
          previous = entries.get(name);
          const now = previous?.version ?? 0;
          if (now !== expectedVersion)
            throw versionConflict(STORE_NAME, name, expectedVersion, now);
          entries.set(name, entry);
          return entries;
        },
        first,
      );
    } catch (error) {
      void this.records.delete(entry);
      throw error;
    }
    this.records.remember(entry, stored);
    this.restorer.remember(stored);
    await this.afterWrite(previous);
    return copyFeature(stored);
  }

  /** Compare-and-delete; see FeatureStore.remove. Atomic across processes. */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    await this.prepare();
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
    let previous: IndexEntry | undefined;
    await this.pacing.run(() =>
      this.index.update(name, (entries) => {
        previous = entries.get(name);
        const now = previous?.version ?? 0;
        if (expectedVersion !== undefined && now !== expectedVersion)
          throw versionConflict(STORE_NAME, name, expectedVersion, now);
        if (!previous) return undefined;
        entries.delete(name);
        return entries;
      }),
    );
    if (!previous) return false;
    this.restorer.forget(name);
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
    this.guard.assertOpen();
    return this.restorer.restore(features);
  }

  /** Closes the connections of a client the store created; a given client stays open. Idempotent. */
  close(): Promise<void> {
    return this.guard.close(async () => {
      await this.connecting?.catch(() => undefined);
      if (this.ownsClient) this.client.close();
    });
  }

  /** Connects, and after a reported loss restores from what this store last read (restoreOnLoss). */
  private async prepare(): Promise<void> {
    await this.connect();
    await this.restorer.repairIfLost();
  }

  /**
   * After a committed write: bump the revision, delete the replaced record, refresh
   * expirations. The record goes only after the bump, so a poller that finds it
   * missing also finds the revision moved (and does not take it for a loss).
   */
  private async afterWrite(previous: IndexEntry | undefined): Promise<void> {
    await this.counter.bump();
    if (previous) await this.records.retire(previous);
    if (this.expires > 0) void this.refreshExpirations().catch(() => undefined);
  }

  /** Each write refreshes every key's expiration, so the data expires as a whole. */
  private async refreshExpirations(): Promise<void> {
    const { entries } = await this.index.readAll();
    const keys = [this.keys.sentinel, this.keys.revision, ...this.index.allKeys()];
    for (const e of entries.values()) keys.push(...this.records.chunkKeys(e));
    await Promise.all(keys.map((k) => this.mc.touch(k, this.expires)));
  }
}
