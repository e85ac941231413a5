import type { Context, MiddlewareHandler } from 'hono';

/**
 * Refuses request bodies larger than `maxSize` bytes: `onError` answers instead of
 * the route (the server's 413). Covers every route it is mounted on, whatever reads
 * the body afterwards (`c.req.text()`, `c.req.json()`, ...).
 *
 * The same contract as `hono/body-limit`, without its cost on node:http: Hono's
 * version starts with `c.req.raw.body`, and that getter turns `@hono/node-server`'s
 * lightweight request into a full Fetch `Request` (a web stream over the socket,
 * an AbortSignal, a copy of the headers) on every request, after which the body
 * can only be read through that stream. Here a declared `Content-Length` is
 * checked from the header alone (node's HTTP parser never hands a handler more
 * bytes than it declares), so the body is later read straight from the socket.
 * A body without a usable length (chunked, or a Fetch `Request` built from a
 * stream or a string) is counted while it is read and refused as soon as it
 * passes the limit, then handed on as a buffered body.
 */
export function limitBody(
  maxSize: number,
  onError: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    // A GET or HEAD request has no body in the Fetch API (node-server gives it none).
    if (method === 'GET' || method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (
      declared !== undefined &&
      /^\d+$/.test(declared) &&
      c.req.header('transfer-encoding') === undefined
    ) {
      return Number(declared) > maxSize ? onError(c) : next();
    }
    const stream = c.req.raw.body;
    if (!stream) return next();
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // Stop reading at the limit: the rest of an oversized body is never buffered
      // (on node:http the server drains and drops it after the answer).
      if (size > maxSize) return onError(c);
      chunks.push(value);
    }
    // A new Request from the parts, not `new Request(c.req.raw, ...)`: on node:http the
    // raw request is node-server's lightweight one, which the global Request
    // constructor cannot copy (that threw, so every chunked body was a 500).
    const raw = c.req.raw;
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body: Buffer.concat(chunks, size),
      signal: raw.signal,
    });
    return next();
  };
}
