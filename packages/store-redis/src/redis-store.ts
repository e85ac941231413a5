import {
  CorruptDataError,
  type Feature,
  type FeatureStore,
  parseFeature,
  RolloutError,
  redactStoreUrl,
  type StoreCapabilities,
  StoreError,
  type StoreListener,
  type StoreSnapshot,
  ValidationError,
  VersionConflictError,
  validateFeatureName,
} from '@rollout/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { ChangeSubscriber } from './change-subscriber.js';
import {
  clientFromUrl,
  DEFAULT_COMMAND_TIMEOUT,
  ensureReady,
  failFastOptions,
  type RedisClient,
  waitUntilReady,
} from './connection.js';
import { DEFAULT_PREFIX, type KeyLayout, keyLayout } from './key-layout.js';

import { STORE_NAME, toStoreError } from './redis-errors.js';
import { type LuaScript, PUT_SCRIPT, REMOVE_SCRIPT, SNAPSHOT_SCRIPT } from './scripts.js';

/** Options of {@link RedisStore}: give `url` or `client`. */
export interface RedisStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). The store
   * creates and owns its connections, configured to fail fast while Redis is down.
   */
  url?: string;
  /**
   * An ioredis `Redis` or `Cluster` the application already has. The store uses it
   * for commands and `duplicate()`s it for pub/sub; `close()` leaves it open.
   * Its own options decide how it behaves while Redis is down (see the README).
   */
  client?: Redis | Cluster;
  /**
   * Key prefix, so several apps or environments share one Redis. Default `rollout:`.
   * 1 to 100 characters, no braces or white space: it becomes the Cluster hash tag.
   */
  prefix?: string;
  /**
   * Ms a command may take before it rejects with StoreUnavailableError, and the
   * connect timeout, for connections the store creates. Default 5000.
   */
  commandTimeout?: number;
  /** Extra ioredis options for connections created from `url` (TLS, auth, family, ...). */
  redisOptions?: RedisOptions;
}

type ScriptReply = [number, number];

/**
 * Feature store on Redis (single node or Cluster), through ioredis.
 *
 * - Every write is one Lua script: compare the version, write the record, bump
 *   the revision, PUBLISH `{revision, name}`; it happens completely or not at all,
 *   and concurrent writers in any number of processes lose nothing.
 * - `snapshot()` reads the revision and every feature in one script: consistent.
 * - Changes reach every subscriber through pub/sub within milliseconds; after a
 *   lost connection the subscriber asks for a resync.
 * - While Redis is down every call rejects quickly with StoreUnavailableError
 *   (no offline queue, bounded timeouts); nothing is half-applied.
 * - Data read back is validated; bad data is a CorruptDataError naming the key and field.
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
    history: false,
  };
  /** The keys this store uses (for tools and tests). */
  readonly keys: KeyLayout;

  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly url: string | undefined;
  private readonly commandTimeout: number;
  private readonly redisOptions: RedisOptions;
  private readonly subscribers = new Set<ChangeSubscriber>();
  private closed = false;

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('options', options, 'RedisStore needs { url } or { client }');
    }
    this.keys = keyLayout(options.prefix ?? DEFAULT_PREFIX);
    const timeout = options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new ValidationError('commandTimeout', timeout, 'must be a positive number of ms');
    }
    this.commandTimeout = timeout;
    this.redisOptions = options.redisOptions ?? {};
    if (options.client !== undefined) {
      if (options.url !== undefined) {
        throw new ValidationError('options', options, 'give either url or client, not both');
      }
      this.client = options.client;
      this.ownsClient = false;
      this.url = undefined;
    } else if (typeof options.url === 'string') {
      if (!/^rediss?:\/\//i.test(options.url)) {
        throw new ValidationError(
          'url',
          redactStoreUrl(options.url),
          'must start with redis:// or rediss://',
        );
      }
      this.url = options.url;
      this.client = clientFromUrl(options.url, timeout, this.redisOptions);
      this.ownsClient = true;
      // Failures surface through rejected calls and the subscriber; without a listener
      // ioredis would print every reconnection error to the console.
      this.client.on('error', () => {});
    } else {
      throw new ValidationError('options', options, 'RedisStore needs { url } or { client }');
    }
  }

  /** Connects (if not yet) and waits until Redis answers. Rejects with StoreUnavailableError. */
  async connect(): Promise<void> {
    this.assertOpen();
    await ensureReady(this.client, this.commandTimeout, 'connecting');
  }

  /** Revision and every feature, read atomically by one script. */
  async snapshot(): Promise<StoreSnapshot> {
    const [revision, flat] = await this.run<[string | null, string[]]>(
      SNAPSHOT_SCRIPT,
      [],
      'reading the snapshot',
    );
    const features: Feature[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      features.push(this.decode(flat[i] as string, flat[i + 1] as string));
    }
    return { revision: this.decodeRevision(revision), features };
  }

  /** One feature (validated), or undefined. */
  async get(name: string): Promise<Feature | undefined> {
    const json = await this.call('reading a feature', (c) => c.hget(this.keys.features, name));
    return json === null ? undefined : this.decode(name, json);
  }

  /** The revision counter (0 before the first write). */
  async revision(): Promise<number> {
    const value = await this.call('reading the revision', (c) => c.get(this.keys.revision));
    return this.decodeRevision(value);
  }

  /** Compare-and-set write; see FeatureStore.put. */
  async put(feature: Feature, expectedVersion: number): Promise<Feature> {
    checkVersion(expectedVersion, 'expectedVersion');
    // Validate before anything reaches Redis; also drops unknown fields.
    const stored = parseFeature({ ...feature, version: expectedVersion + 1 });
    const [status] = await this.run<ScriptReply>(
      PUT_SCRIPT,
      [stored.name, String(expectedVersion), JSON.stringify(stored), this.keys.channel],
      'writing a feature',
    );
    if (status !== 1) throw new VersionConflictError(stored.name);
    return stored;
  }

  /** Compare-and-delete; see FeatureStore.remove. */
  async remove(name: string, expectedVersion?: number): Promise<boolean> {
    validateFeatureName(name);
    if (expectedVersion !== undefined) checkVersion(expectedVersion, 'expectedVersion');
    const [status] = await this.run<ScriptReply>(
      REMOVE_SCRIPT,
      [name, expectedVersion === undefined ? '' : String(expectedVersion), this.keys.channel],
      'removing a feature',
    );
    if (status === 0) throw new VersionConflictError(name);
    return status === 1;
  }

  /**
   * Subscribes `listener` to every change from any process, on a dedicated pub/sub
   * connection. Resolves once the subscription is live.
   */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    await this.connect();
    const subscriber = new ChangeSubscriber(
      {
        connection: this.subscriberConnection(),
        channel: this.keys.channel,
        commandsReady: () => waitUntilReady(this.client, this.commandTimeout),
        timeoutMs: this.commandTimeout,
      },
      listener,
    );
    await subscriber.start();
    this.subscribers.add(subscriber);
    return async () => {
      this.subscribers.delete(subscriber);
      await subscriber.stop();
    };
  }

  /** Closes subscriptions and the connections the store created; a given client stays open. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    await Promise.all(subscribers.map((s) => s.stop()));
    if (this.ownsClient) {
      if (this.client.status === 'ready') {
        await this.client.quit().catch(() => this.client.disconnect());
      } else {
        this.client.disconnect();
      }
    }
  }

  // ---- internals ----

  private subscriberConnection(): RedisClient {
    if (this.url !== undefined) {
      const connection = clientFromUrl(this.url, this.commandTimeout, this.redisOptions);
      connection.on('error', () => {});
      return connection;
    }
    // A pub/sub connection cannot run other commands, so it is always our own,
    // duplicated from the app's client and owned (closed) by us.
    const overrides = { ...failFastOptions(this.commandTimeout), commandTimeout: undefined };
    const client = this.client;
    const connection: RedisClient =
      'nodes' in client && typeof client.nodes === 'function'
        ? (client as Cluster).duplicate(undefined, { redisOptions: overrides, lazyConnect: true })
        : (client as Redis).duplicate(overrides);
    connection.on('error', () => {});
    return connection;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(STORE_NAME, 'the store is closed', { code: 'CLOSED' });
  }

  private async call<T>(what: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      await ensureReady(this.client, this.commandTimeout, what);
      return await command(this.client);
    } catch (error) {
      throw toStoreError(error, what);
    }
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) after a NOSCRIPT. */
  private run<T>(script: LuaScript, args: string[], what: string): Promise<T> {
    const { features, versions, revision } = this.keys;
    return this.call(what, async (client) => {
      try {
        return (await client.evalsha(script.sha, 3, features, versions, revision, ...args)) as T;
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return (await client.eval(script.source, 3, features, versions, revision, ...args)) as T;
      }
    });
  }

  private decode(name: string, json: string): Feature {
    const location = `${this.keys.features} field ${JSON.stringify(name)}`;
    let feature: Feature;
    try {
      feature = parseFeature(JSON.parse(json));
    } catch (error) {
      const problem =
        error instanceof RolloutError || error instanceof SyntaxError
          ? error.message
          : String(error);
      throw new CorruptDataError(STORE_NAME, location, problem, { cause: error });
    }
    if (feature.name !== name) {
      throw new CorruptDataError(
        STORE_NAME,
        location,
        `the record is named ${JSON.stringify(feature.name)}`,
      );
    }
    return feature;
  }

  private decodeRevision(value: string | null): number {
    if (value === null) return 0;
    const revision = Number(value);
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new CorruptDataError(
        STORE_NAME,
        this.keys.revision,
        `not a revision: ${JSON.stringify(value)}`,
      );
    }
    return revision;
  }
}

function checkVersion(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, value, 'must be a non-negative integer');
  }
}
