import { connect } from 'node:net';

/**
 * Sends one text-protocol command to memcached and resolves with the reply once it
 * ends with `terminator`. Test-only: to flush the server or list its keys, as an
 * operator (or memcached's LRU) would, behind the store's back.
 */
export function adminCommand(
  host: string,
  port: number,
  command: string,
  terminator: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.endsWith(terminator)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

/** Forgets every item, as a memcached restart or a full eviction would. */
export async function flushAll(host: string, port: number): Promise<void> {
  const reply = await adminCommand(host, port, 'flush_all', '\r\n');
  if (!reply.startsWith('OK')) throw new Error(`flush_all answered ${reply}`);
}

/** Deletes one key (an eviction of just that item). */
export async function deleteKey(host: string, port: number, key: string): Promise<void> {
  const reply = await adminCommand(host, port, `delete ${key}`, '\r\n');
  if (!reply.startsWith('DELETED')) throw new Error(`delete ${key} answered ${reply}`);
}

/** Every key on the server (memcached's LRU crawler metadump), URL-decoded. */
export async function allKeys(host: string, port: number): Promise<string[]> {
  const reply = await adminCommand(host, port, 'lru_crawler metadump all', 'END\r\n');
  const keys: string[] = [];
  for (const line of reply.split(/\r?\n/)) {
    const match = /^key=(\S+)/.exec(line);
    if (match?.[1]) keys.push(decodeURIComponent(match[1]));
  }
  return keys;
}

/**
 * The keys starting with `prefix`, dumped again (up to 20 times, 50 ms apart) until
 * at least `atLeast` have shown up: `lru_crawler metadump` is best effort, and an
 * item moving between LRU segments can be missing from one dump.
 */
export async function keysWithPrefix(
  host: string,
  port: number,
  prefix: string,
  atLeast: number,
): Promise<string[]> {
  let keys: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    keys = (await allKeys(host, port)).filter((k) => k.startsWith(prefix));
    if (keys.length >= atLeast) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return keys;
}
