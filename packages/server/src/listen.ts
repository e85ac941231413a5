import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@rollout/core';
import type { RolloutServer } from './create-server.js';
import { isLoopbackHost } from './loopback.js';

/** Options of {@link listen}. */
export interface ListenOptions {
  /** Interface to bind. Default `127.0.0.1`. Anything but loopback needs tokens or an authorize hook. */
  host?: string;
  /** Port. Default 8080; 0 picks a free one. */
  port?: number;
}

/** A listening server. */
export interface Listening {
  /** `http://HOST:PORT`, with the real port. */
  url: string;
  /** The node:http server. */
  server: Server;
  /** Stops accepting, ends event streams and open connections, and resolves once closed. */
  close(): Promise<void>;
}

/**
 * Serves `handler` on node:http. Refuses, with a ValidationError that says why, to
 * bind beyond loopback when the handler has no tokens or authorize hook: every
 * flag would be readable by anyone on the network.
 */
export async function listen(
  handler: RolloutServer,
  options: ListenOptions = {},
): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ValidationError('port', port, 'must be an integer from 0 to 65535');
  }
  if (!handler.authenticated && !isLoopbackHost(host)) {
    throw new ValidationError(
      'host',
      host,
      `refusing to listen on ${host} without a token: anyone who can reach it could read every flag. Give a token (--token / tokens) or listen on 127.0.0.1`,
    );
  }
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    close: () => {
      closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await handler.close();
        server.closeIdleConnections();
        // Event streams ended above; anything still open is a request in flight or a stuck client.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        await stopped;
      })();
      return closed;
    },
  };
}
