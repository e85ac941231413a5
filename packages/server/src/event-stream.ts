import { createHmac, randomBytes } from 'node:crypto';
import type { FeatureCatalog } from '@rollout/openfeature/evaluation';
import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { sameSecret } from './auth.js';

/** The query parameter that carries an event-stream ticket. */
export const TICKET_PARAM = 'ticket';

/**
 * The OFREP event streams (ADR-0008): every open SSE connection hears
 * `{"type":"refetchEvaluation"}` when a feature changes in the client's snapshot
 * (pushed or polled from the store, from any process), and a keep-alive comment
 * every `heartbeatMs`. The message carries no flag data: clients re-fetch the bulk
 * evaluation with their own context and credentials.
 *
 * A browser's EventSource cannot send headers, so the bulk response hands out the
 * stream URL with a ticket: an HMAC of a fixed label under the server's secret,
 * given only to callers that passed the credential check.
 */
export class EventStreams {
  private readonly streams = new Set<SSEStreamingApi>();
  // The ticket is an HMAC of a fixed label under a fixed secret: computed once, not per request.
  private readonly currentTicket: string;
  private readonly off: () => void;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private seq = 0;

  constructor(catalog: FeatureCatalog, heartbeatMs: number, secret: string | undefined) {
    this.currentTicket = createHmac('sha256', secret ?? randomBytes(32).toString('base64url'))
      .update('rollout-ofrep-events-v1')
      .digest('base64url');
    this.off = catalog.onChange(() => this.broadcast());
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams) void stream.write(': keep-alive\n\n').catch(() => {});
    }, heartbeatMs);
    this.heartbeat.unref?.();
  }

  /** The ticket that opens a stream without headers. */
  ticket(): string {
    return this.currentTicket;
  }

  /** Whether the request carries a valid ticket. */
  hasTicket(c: Context): boolean {
    const presented = c.req.query(TICKET_PARAM);
    return presented !== undefined && sameSecret(presented, this.ticket());
  }

  /** Number of open streams. */
  get size(): number {
    return this.streams.size;
  }

  /** Answers a GET with an SSE stream that stays open until the client or the server closes it. */
  open(c: Context): Response {
    c.header('Cache-Control', 'no-store');
    // Proxies such as nginx buffer responses unless told not to; an event must not wait.
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      this.streams.add(stream);
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      await stream.write(': connected\n\n');
      await closed;
      this.streams.delete(stream);
    });
  }

  /** Ends every stream and stops following the catalog. */
  async close(): Promise<void> {
    this.off();
    clearInterval(this.heartbeat);
    const open = [...this.streams];
    this.streams.clear();
    await Promise.all(open.map((stream) => stream.close().catch(() => {})));
  }

  private broadcast(): void {
    const id = String(++this.seq);
    const data = JSON.stringify({
      type: 'refetchEvaluation',
      lastModified: Math.floor(Date.now() / 1000),
    });
    for (const stream of this.streams) {
      void stream.writeSSE({ id, data }).catch(() => this.streams.delete(stream));
    }
  }
}
