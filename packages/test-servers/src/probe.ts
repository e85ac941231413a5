import { connect } from 'node:net';

/**
 * Connects to 127.0.0.1:`port`, sends `request` and resolves true when the
 * accumulated reply satisfies `accept`; false on any error, close or timeout.
 */
export function probe(
  port: number,
  request: string,
  accept: (reply: string) => boolean,
  timeoutMs = 1_000,
): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (accept(reply)) finish(true);
      else if (reply.includes('\n')) finish(false);
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}
