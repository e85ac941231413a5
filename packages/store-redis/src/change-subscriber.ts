import { type StoreListener, StoreUnavailableError } from '@rollout/core';
import { ensureReady, type RedisClient } from './connection.js';
import { STORE_NAME, toStoreError } from './redis-errors.js';

/** What a subscriber needs from its store. */
export interface SubscriberContext {
  /** A fresh, not yet connected connection for SUBSCRIBE (lazyConnect, fail-fast options). */
  readonly connection: RedisClient;
  /** The channel writes PUBLISH to. */
  readonly channel: string;
  /** Resolves once the store's command connection is ready again (so a resync can read). */
  readonly commandsReady: () => Promise<void>;
  readonly timeoutMs: number;
}

/**
 * One listener's pub/sub connection. Every message becomes `listener.change`;
 * losing the connection calls `listener.error` once per outage; once it is back
 * (ioredis reconnects with backoff) and subscribed again, `listener.resync`
 * reloads everything, since messages published meanwhile are gone for good.
 */
export class ChangeSubscriber {
  private down = false;
  private closed = false;
  private lastError: unknown;

  constructor(
    private readonly context: SubscriberContext,
    private readonly listener: StoreListener,
  ) {}

  /** Connects and subscribes; rejects with StoreUnavailableError when Redis cannot be reached. */
  async start(): Promise<void> {
    const { connection, channel, timeoutMs } = this.context;
    connection.on('message', (from: string, message: string) => {
      // Messages already buffered when stop() ran must not reach a listener that left.
      if (from === channel && !this.closed) this.onMessage(message);
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
      this.closed = true;
      connection.disconnect();
      throw toStoreError(error, 'subscribing to changes');
    }
  }

  /** Unsubscribes and closes the connection. Idempotent. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // disconnect(), not quit(): quit would fail while Redis is down, and there is
    // nothing to flush on a subscriber connection.
    this.context.connection.disconnect();
  }

  private onMessage(message: string): void {
    let change: unknown;
    try {
      change = JSON.parse(message);
    } catch {
      change = undefined;
    }
    const record = change as { revision?: unknown; name?: unknown } | undefined;
    if (
      typeof record === 'object' &&
      record !== null &&
      typeof record.revision === 'number' &&
      Number.isSafeInteger(record.revision) &&
      typeof record.name === 'string'
    ) {
      this.listener.change({ revision: record.revision, name: record.name });
    } else {
      // Not ours or damaged: we cannot tell what changed, so reload everything.
      this.listener.resync();
    }
  }

  private onDown(): void {
    if (this.closed || this.down) return;
    this.down = true;
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
    if (this.closed || !this.down) return;
    const { connection, channel } = this.context;
    try {
      // ioredis resubscribes by itself, but only our own SUBSCRIBE's reply proves the
      // subscription is live again; resync after it, so no change falls in between.
      await connection.subscribe(channel);
      // The resync reads through the command connection, which reconnects on its own timer.
      await this.context.commandsReady();
    } catch (error) {
      this.lastError = error;
      return; // still down; the next 'ready' tries again
    }
    if (this.closed) return;
    this.down = false;
    this.listener.resync();
  }
}
