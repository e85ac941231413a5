import {
  type ApplyOptions,
  type ApplyResult,
  type Feature,
  FeatureNotFoundError,
  type FeatureOperation,
  type FeatureStore,
  type HistoryEntry,
  type HistoryQuery,
  type StoreCapabilities,
  type StoreListener,
  type StoreSnapshot,
  ValidationError,
  validateFeatureName,
  type WriteContext,
} from '@rollout/core';
import {
  ClosedGuard,
  checkApplyArguments,
  checkExpectedVersion,
  checkHistoryQuery,
  checkWriteContext,
  versionConflict,
  writeAction,
} from '@rollout/core/store';
import { applyArgs } from './apply-script.js';
import { ChangeFeed } from './change-feed.js';
import { decodeFeatures, decodeRevision, decodeStored, encodeFeature, idsOf } from './codec.js';
import {
  clientFromUrl,
  ensureReady,
  pubSubConnection,
  type RedisClient,
  waitUntilReady,
} from './connection.js';
import { STORE_NAME, toStoreError } from './errors.js';
import { decodeHistory, encodeContext, type HistoryReply, historyArgs } from './history.js';
import type { KeyLayout } from './layout.js';
import { type RedisStoreOptions, type ResolvedOptions, resolveOptions } from './options.js';
import {
  APPLY_SCRIPT,
  GET_SCRIPT,
  HISTORY_SCRIPT,
  LAYOUT_MISSING,
  type LuaScript,
  MIGRATE_SCRIPT,
  PUT_SCRIPT,
  REMOVE_SCRIPT,
  runScript,
  type ScriptReply,
  SNAPSHOT_SCRIPT,
} from './scripts.js';

/**
 * Feature store on Redis (single node or Cluster), through ioredis.
 *
 * - Every write is one Lua script: compare the version, write the record, bump
 *   the revision, record the history entry (trimming the feature's oldest), PUBLISH
 *   `{revision, name}`; it happens completely or not at all, and concurrent writers
 *   in any number of processes lose nothing.
 * - `snapshot()` reads the revision and every feature in one script: consistent.
 * - Changes reach every subscriber through pub/sub within milliseconds; after a
 *   lost connection the subscriber asks for a resync.
 * - While Redis is down every call rejects quickly with StoreUnavailableError
 *   (no offline queue, bounded timeouts); nothing is half-applied.
 * - Data read back is validated; bad data is a CorruptDataError naming the key and field.
 * - After `close()` every member rejects with ClosedError (code `CLOSED`).
 */
export class RedisStore implements FeatureStore {
  /** `redis`, as in every error message. */
  readonly name = STORE_NAME;
  /** Push (pub/sub), multi-process, durable (as durable as the server's persistence). */
  readonly capabilities: StoreCapabilities = {
    push: true,
    multiProcess: true,
    durable: true,
    // Pub/sub carries changes; the revision poll is only a safety net.
    pollIntervalMs: 5000,
    history: true,
    apply: true,
  };
  /** The keys this store uses (for tools and tests). */
  readonly keys: KeyLayout;

  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly options: ResolvedOptions;
  private readonly feed: ChangeFeed;
  private readonly guard = new ClosedGuard(STORE_NAME);

  constructor(options: RedisStoreOptions) {
    this.options = resolveOptions(options);
    const { keys, commandTimeout, redisOptions } = this.options;
    this.keys = keys;
    if (this.options.client !== undefined) {
      this.client = this.options.client;
      this.ownsClient = false;
    } else {
      this.client = clientFromUrl(this.options.url, commandTimeout, redisOptions);
      this.ownsClient = true;
      // Failures surface through rejected calls and the change feed; without a
      // listener ioredis would print every reconnection error to the console.
      this.client.on('error', () => {});
    }
    this.feed = new ChangeFeed({
      connection: () => pubSubConnection(this.options, commandTimeout, redisOptions),
      channel: keys.channel,
      commandsReady: () => waitUntilReady(this.client, commandTimeout),
      timeoutMs: commandTimeout,
    });
  }

  /** Connects (if not yet) and waits until Redis answers. Rejects with StoreUnavailableError. */
  async connect(): Promise<void> {
    this.guard.assertOpen();
    await ensureReady(this.client, this.options.commandTimeout, 'connecting');
  }

  /** Revision and every feature with its lists, read atomically by one script. */
  async snapshot(): Promise<StoreSnapshot> {
    const [revision, flat, users, excluded] = await this.run<
      [string | null, string[], string[], string[]]
    >(SNAPSHOT_SCRIPT, [], 'reading the snapshot');
    return {
      revision: decodeRevision(this.keys, revision),
      features: decodeFeatures(this.keys, flat, users, excluded),
    };
  }

  /** One feature (validated) with its lists, read by one script, or undefined. */
  async get(name: string): Promise<Feature | undefined> {
    const [json, users, excluded] = await this.run<[string | null, string[]?, string[]?]>(
      GET_SCRIPT,
      [name],
      'reading a feature',
    );
    if (json === null) return undefined;
    return decodeStored(
      this.keys,
      name,
      json,
      idsOf(name, users ?? []),
      idsOf(name, excluded ?? []),
    );
  }

  /** The revision counter (0 before the first write). */
  async revision(): Promise<number> {
    const value = await this.call('reading the revision', (c) => c.get(this.keys.revision));
    return decodeRevision(this.keys, value);
  }

  /** Compare-and-set write with its history entry, in one script; see FeatureStore.put. */
  async put(feature: Feature, expectedVersion: number, context?: WriteContext): Promise<Feature> {
    this.guard.assertOpen();
    checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    const { record, document, users, excludedUsers } = encodeFeature(feature, expectedVersion);
    const action = writeAction(checked, { expectedVersion });
    const [status, current] = await this.run<ScriptReply>(
      PUT_SCRIPT,
      [
        record.name,
        String(expectedVersion),
        document,
        users,
        excludedUsers,
        this.keys.channel,
        encodeContext(checked, action),
        String(this.options.historyLimit),
      ],
      'writing a feature',
    );
    if (status !== 1) throw versionConflict(STORE_NAME, record.name, expectedVersion, current);
    return record;
  }

  /**
   * Applies the operations, writes the record and records its history entry in one
   * script: atomic across processes, nothing to retry; see FeatureStore.apply.
   */
  async apply(
    name: string,
    operations: readonly FeatureOperation[],
    options: ApplyOptions = {},
    context?: WriteContext,
  ): Promise<ApplyResult> {
    this.guard.assertOpen();
    const checked = checkApplyArguments(name, operations, context);
    const checkedName = checked.name;
    const args = applyArgs(checked, options, this.keys.channel, this.options.historyLimit);
    const reply = await this.run<[number, (string | number)?, string?, (string | number)?]>(
      APPLY_SCRIPT,
      args,
      'applying operations to a feature',
    );
    const [status, first, second, third] = reply;
    if (status === 4) throw new FeatureNotFoundError(checkedName);
    if (status === 3)
      throw new ValidationError(
        String(first ?? 'feature'),
        second === undefined ? second : JSON.parse(second),
        String(third ?? 'invalid'),
      );
    // The outcome only: the record stays in Redis (the client derives it, O(1) in its lists).
    const version = Number(first);
    const createdAt = JSON.parse(second ?? 'null') as string;
    if (status === 2) return { changed: false, version, createdAt };
    return { changed: true, version, createdAt, revision: Number(third) };
  }

  /** Compare-and-delete with its history entry, in one script; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number, context?: WriteContext): Promise<boolean> {
    this.guard.assertOpen();
    validateFeatureName(name);
    if (expectedVersion !== undefined) checkExpectedVersion(expectedVersion);
    const checked = checkWriteContext(context);
    const [status, current] = await this.run<ScriptReply>(
      REMOVE_SCRIPT,
      [
        name,
        expectedVersion === undefined ? '' : String(expectedVersion),
        this.keys.channel,
        encodeContext(checked, writeAction(checked, { remove: true })),
        String(this.options.historyLimit),
      ],
      'removing a feature',
    );
    if (status === 0) throw versionConflict(STORE_NAME, name, expectedVersion ?? 0, current);
    return status === 1;
  }

  /** A page of the history, newest first, read by one script; see FeatureStore.history. */
  async history(query?: HistoryQuery): Promise<HistoryEntry[]> {
    this.guard.assertOpen();
    const checked = checkHistoryQuery(query);
    const reply = await this.run<HistoryReply>(
      HISTORY_SCRIPT,
      historyArgs(checked),
      'reading the history',
    );
    return decodeHistory(this.keys, reply);
  }

  /**
   * Subscribes `listener` to every change from any process, through one pub/sub
   * connection the store opens for its subscribers. Resolves once the subscription is live.
   */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    await this.connect();
    return this.feed.add(listener);
  }

  /** Closes subscriptions and the connections the store created; a given client stays open. Idempotent. */
  close(): Promise<void> {
    return this.guard.close(async () => {
      this.feed.close();
      if (!this.ownsClient) return;
      if (this.client.status === 'ready') {
        await this.client.quit().catch(() => this.client.disconnect());
      } else {
        this.client.disconnect();
      }
    });
  }

  private async call<T>(what: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    this.guard.assertOpen();
    try {
      await ensureReady(this.client, this.options.commandTimeout, what);
      return await command(this.client);
    } catch (error) {
      throw toStoreError(error, what);
    }
  }

  // Every script refuses data of an older layout ({LAYOUT_MISSING}): migrate it (one
  // atomic script, a no-op once done, whoever got there first) and run the script again.
  private run<T>(script: LuaScript, args: string[], what: string): Promise<T> {
    return this.call(what, async (client) => {
      const reply = await runScript<T>(client, script, this.keys, args);
      if (!Array.isArray(reply) || reply.length !== 1 || reply[0] !== LAYOUT_MISSING) return reply;
      await runScript<number>(client, MIGRATE_SCRIPT, this.keys, []);
      return runScript<T>(client, script, this.keys, args);
    });
  }
}
