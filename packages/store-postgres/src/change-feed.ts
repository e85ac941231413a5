import {
  ClosedError,
  type StoreChange,
  type StoreListener,
  StoreUnavailableError,
} from '@rollout/core';
import { jitteredBackoff, ListenerSet } from '@rollout/core/store';
import pg from 'pg';
import { STORE_NAME } from './errors.js';
import { quoteIdentifier } from './layout.js';

/** Options of {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /** How to open the dedicated connection (never a pooled one: LISTEN is per session). */
  readonly clientConfig: pg.ClientConfig;
  /** The channel to LISTEN on. */
  readonly channel: string;
  /** Longest wait between reconnection attempts, in ms. */
  readonly maxBackoffMs: number;
}

type State = 'idle' | 'connecting' | 'listening' | 'waiting' | 'closed';

// A LISTEN connection only receives, so a silently dead one (a dropped NAT entry,
// a failed-over host) would go unnoticed for as long as TCP keepalive takes:
// every 30 s it runs SELECT 1, and treats no answer within 10 s as a lost connection.
const HEARTBEAT_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * The store's push channel: one dedicated connection that LISTENs on the table's
 * channel and fans notifications out to every subscriber. It opens with the first
 * subscriber and closes with the last. When the connection is lost it tells every
 * subscriber (`error`), reconnects with capped, jittered exponential backoff,
 * LISTENs again and asks every subscriber to `resync` (notifications sent while
 * it was away are gone).
 */
export class ChangeFeed {
  private readonly listeners = new ListenerSet();
  private state: State = 'idle';
  private client: pg.Client | undefined;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  // Set when notifications may have been missed; the next successful LISTEN resyncs.
  private missed = false;
  private opening: Promise<void> | undefined;

  constructor(private readonly options: ChangeFeedOptions) {}

  /**
   * Registers a subscriber and resolves with the function that unregisters it (the
   * connection closes with the last one). Resolves once the first LISTEN attempt
   * finished: when it failed, the subscriber got `error` and will get `resync` on reconnection.
   */
  async add(listener: StoreListener): Promise<() => Promise<void>> {
    if (this.state === 'closed') throw new ClosedError(`${STORE_NAME} store`);
    const off = this.listeners.add(listener);
    if (this.state === 'idle') {
      this.opening = this.open();
    } else if (this.state === 'waiting' || (this.state === 'connecting' && this.missed)) {
      // Push is down right now (between or during reconnection attempts): say so,
      // and this subscriber resyncs with the others once it is back.
      const error = new StoreUnavailableError(
        STORE_NAME,
        'the LISTEN connection is down; reconnecting',
      );
      queueMicrotask(() => {
        try {
          listener.error(error);
        } catch {
          // The subscriber's own bug; nothing useful to do with it here.
        }
      });
    }
    await this.opening;
    return async () => {
      await off();
      if (this.listeners.size === 0 && this.state !== 'closed') await this.stop('idle');
    };
  }

  /** Drops every subscriber and closes the connection for good. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.stop('closed');
  }

  private async stop(next: 'idle' | 'closed'): Promise<void> {
    this.state = next;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopHeartbeat();
    this.attempts = 0;
    this.missed = false;
    const client = this.client;
    this.client = undefined;
    this.opening = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async open(): Promise<void> {
    this.state = 'connecting';
    const client = new pg.Client(this.options.clientConfig);
    this.client = client;
    // Set before connecting: a connection error must never become an uncaught 'error' event.
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.connectionLost(error);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (this.client === client && message.channel === this.options.channel)
        this.dispatch(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.options.channel)}`);
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      client.end().catch(() => undefined);
      return;
    }
    if (this.client !== client) {
      // Stopped (or restarted) while connecting.
      client.end().catch(() => undefined);
      return;
    }
    this.state = 'listening';
    this.attempts = 0;
    this.startHeartbeat(client);
    if (this.missed) {
      this.missed = false;
      this.listeners.resync();
    }
  }

  private startHeartbeat(client: pg.Client): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      client
        .query({ text: 'SELECT 1', query_timeout: HEARTBEAT_TIMEOUT_MS } as pg.QueryConfig)
        .catch(() => {
          // Ending it fires 'end', which reports the loss and starts reconnecting.
          if (this.client === client) client.end().catch(() => undefined);
        });
    }, HEARTBEAT_MS);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private connectionLost(cause: Error | undefined): void {
    if (this.state === 'closed' || this.state === 'idle') return;
    this.stopHeartbeat();
    // Subscribers hear of the outage once: when a working connection drops, or when
    // the very first attempt fails; not again on every failed reconnection attempt.
    const news = this.state === 'listening' || this.attempts === 0;
    this.client = undefined;
    this.missed = true;
    this.state = 'waiting';
    if (news) {
      const error = new StoreUnavailableError(
        STORE_NAME,
        `the LISTEN connection failed (${cause?.message ?? 'connection ended'}); changes are not pushed until it is back`,
        { cause },
      );
      this.listeners.error(error);
    }
    // Capped exponential backoff from 100 ms, with jitter so a fleet does not reconnect in step.
    const delay = jitteredBackoff(this.attempts, 100, this.options.maxBackoffMs);
    this.attempts++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.state === 'waiting') this.opening = this.open();
    }, delay);
    // The reconnection loop alone never keeps a process alive.
    this.timer.unref?.();
  }

  private dispatch(payload: string | undefined): void {
    let change: StoreChange | undefined;
    try {
      const parsed = JSON.parse(payload ?? '') as {
        revision?: unknown;
        name?: unknown;
        version?: unknown;
      };
      if (typeof parsed.revision === 'number' && typeof parsed.name === 'string') {
        // The version is there for every write but a remove (and absent from releases before it).
        const version = typeof parsed.version === 'number' ? { version: parsed.version } : {};
        change = { revision: parsed.revision, name: parsed.name, ...version };
      }
    } catch {
      change = undefined;
    }
    // A payload we cannot read still says "something changed": reload everything.
    if (change) this.listeners.change(change);
    else this.listeners.resync();
  }
}
