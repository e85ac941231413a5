import { type StoreListener, StoreUnavailableError } from '@rollout/core';
import { ListenerSet } from '@rollout/core/store';
import { decodeChange } from './codec.js';
import { ensureReady, type RedisClient } from './connection.js';
import { STORE_NAME, toStoreError } from './errors.js';

/** What the change feed needs from its store. */
export interface ChangeFeedContext {
  /** Creates a fresh, not yet connected connection for SUBSCRIBE (lazyConnect, fail-fast options). */
  readonly connection: () => RedisClient;
  /** The channel writes PUBLISH to. */
  readonly channel: string;
  /** Resolves once the store's command connection is ready again (so a resync can read). */
  readonly commandsReady: () => Promise<void>;
  readonly timeoutMs: number;
}

/**
 * The store's push channel: one pub/sub connection shared by every subscriber,
 * opened by the first `add` and closed when the last subscriber leaves. Delivery
 * goes through a ListenerSet: asynchronous, and never to a listener that left.
 */
export class ChangeFeed {
  private readonly listeners = new ListenerSet();
  private subscription: Subscription | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly context: ChangeFeedContext) {}

  /**
   * Adds `listener` and resolves once the subscription is live; the returned
   * function removes it (idempotent). Rejects with StoreUnavailableError when Redis
   * cannot be reached, or while the shared connection is reconnecting after a loss.
   */
  async add(listener: StoreListener): Promise<() => Promise<void>> {
    if (this.subscription?.down) {
      throw new StoreUnavailableError(
        STORE_NAME,
        'subscribing to changes failed: the pub/sub connection to Redis is reconnecting',
      );
    }
    // Counted before the connection is up, so a subscriber leaving meanwhile does
    // not close the connection this one is waiting for.
    const remove = this.listeners.add(listener);
    let left = false;
    const leave = async () => {
      if (left) return;
      left = true;
      await remove();
      if (this.listeners.size === 0) this.stop();
    };
    try {
      this.starting ??= this.start();
      await this.starting;
    } catch (error) {
      await leave();
      throw error;
    }
    return leave;
  }

  /** Drops every subscriber and closes the connection (the store is closing). */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private async start(): Promise<void> {
    const subscription = new Subscription(this.context, this.listeners);
    this.subscription = subscription;
    try {
      await subscription.start();
    } catch (error) {
      // A later subscriber tries again with a new connection.
      if (this.subscription === subscription) {
        this.subscription = undefined;
        this.starting = undefined;
      }
      throw error;
    }
  }

  private stop(): void {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.starting = undefined;
    subscription?.stop();
  }
}

/**
 * One pub/sub connection. Every message becomes `change` (or `resync` when it
 * cannot be read); losing the connection reports `error` once per outage; once it
 * is back (ioredis reconnects with backoff) and subscribed again, `resync` reloads
 * everything, since messages published meanwhile are gone for good.
 */
class Subscription {
  private isDown = false;
  private stopped = false;
  private lastError: unknown;
  private readonly connection: RedisClient;

  constructor(
    private readonly context: ChangeFeedContext,
    private readonly listener: StoreListener,
  ) {
    this.connection = context.connection();
  }

  /** True between losing the connection and being subscribed again. */
  get down(): boolean {
    return this.isDown;
  }

  /** Connects and subscribes; rejects with StoreUnavailableError when Redis cannot be reached. */
  async start(): Promise<void> {
    const { connection } = this;
    const { channel, timeoutMs } = this.context;
    connection.on('message', (from: string, message: string) => {
      // Messages already buffered when stop() ran must not reach a listener that left.
      if (from === channel && !this.stopped) this.onMessage(message);
    });
    connection.on('error', (error: unknown) => {
      this.lastError = error;
    });
    connection.on('close', () => this.onDown());
    connection.on('ready', () => void this.onReady());
    try {
      await ensureReady(connection, timeoutMs, 'subscribing to changes');
      await connection.subscribe(channel);
    } catch (error) {
      this.stop();
      throw toStoreError(error, 'subscribing to changes');
    }
  }

  /** Closes the connection. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // disconnect(), not quit(): quit would fail while Redis is down, and there is
    // nothing to flush on a subscriber connection.
    this.connection.disconnect();
  }

  private onMessage(message: string): void {
    const change = decodeChange(message);
    // Not ours or damaged: we cannot tell what changed, so reload everything.
    if (change) this.listener.change(change);
    else this.listener.resync();
  }

  private onDown(): void {
    if (this.stopped || this.isDown) return;
    this.isDown = true;
    const cause = this.lastError;
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    this.listener.error(
      new StoreUnavailableError(
        STORE_NAME,
        `lost the pub/sub connection to Redis${detail}; reconnecting with backoff`,
        { cause },
      ),
    );
  }

  private async onReady(): Promise<void> {
    if (this.stopped || !this.isDown) return;
    try {
      // ioredis resubscribes by itself, but only our own SUBSCRIBE's reply proves the
      // subscription is live again; resync after it, so no change falls in between.
      await this.connection.subscribe(this.context.channel);
      // The resync reads through the command connection, which reconnects on its own timer.
      await this.context.commandsReady();
    } catch (error) {
      this.lastError = error;
      return; // still down; the next 'ready' tries again
    }
    if (this.stopped) return;
    this.isDown = false;
    this.listener.resync();
  }
}
