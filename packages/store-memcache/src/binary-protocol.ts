import { StoreError } from '@rollout/core';
import type { Client } from 'memjs';
import { failed, STORE_NAME, Status, unavailable } from './errors.js';

const OPCODE = {
  get: 0x00,
  set: 0x01,
  add: 0x02,
  delete: 0x04,
  increment: 0x05,
  touch: 0x1c,
} as const;

/** An 8-byte compare-and-set token as memcached returns it. Opaque; only passed back. */
export type Cas = Buffer;

/** A value read with its CAS token. */
export interface Item {
  value: Buffer;
  cas: Cas;
}

interface RawResponse {
  header: { status: number; cas: Buffer };
  val: Buffer;
}

/**
 * The memjs internals this package drives. memjs 1.3.2 exposes no CAS in its public
 * API, but every public command is built on `perform(key, request, seq, callback,
 * retries)`, which sends one binary-protocol request to the server owning `key` and
 * hands back the raw response (header with status and CAS). We build the requests
 * ourselves so we can pass and read CAS tokens.
 */
interface MemjsInternals {
  seq: number;
  incrSeq(): void;
  perform(
    key: string,
    request: Buffer,
    seq: number,
    callback: (error: Error | null, response: RawResponse | null) => void,
    retries?: number,
  ): void;
}

/** Throws unless `client` is a memjs Client this package can drive (memjs 1.x). */
export function assertDrivable(client: unknown): void {
  const c = client as Partial<MemjsInternals> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.perform !== 'function' ||
    typeof c.incrSeq !== 'function'
  ) {
    throw new StoreError(
      STORE_NAME,
      'the client option must be a memjs Client (memjs 1.x, created with memjs.Client.create)',
    );
  }
}

function header(
  opcode: number,
  key: Buffer,
  extras: Buffer,
  value: Buffer,
  opaque: number,
  cas?: Cas,
): Buffer {
  const buf = Buffer.alloc(24 + extras.length + key.length + value.length);
  buf.writeUInt8(0x80, 0); // request magic
  buf.writeUInt8(opcode, 1);
  buf.writeUInt16BE(key.length, 2);
  buf.writeUInt8(extras.length, 4);
  buf.writeUInt32BE(extras.length + key.length + value.length, 8);
  buf.writeUInt32BE(opaque >>> 0, 12);
  if (cas) cas.copy(buf, 16);
  extras.copy(buf, 24);
  key.copy(buf, 24 + extras.length);
  value.copy(buf, 24 + extras.length + key.length);
  return buf;
}

function expiration(seconds: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(seconds >>> 0, 0);
  return buf;
}

/**
 * A thin binary-protocol layer over a memjs Client with compare-and-set. Each request
 * is sent exactly once (memjs' own retries are disabled per request: a retried
 * `add` or compare-and-set after a timeout could report failure for a write that
 * was applied). Connection failures and timeouts become StoreUnavailableError.
 */
export class Memcache {
  private readonly client: MemjsInternals;

  /**
   * @param client the memjs client to send requests through.
   * @param guardMs how long to wait for any answer before giving up. memjs' own timeout
   * is armed on the socket, so a request in flight when the server closes the
   * connection gracefully (a memcached restart) would never be answered nor failed.
   */
  constructor(
    client: Client,
    private readonly guardMs: number,
  ) {
    assertDrivable(client);
    this.client = client as unknown as MemjsInternals;
  }

  private request(
    opcode: number,
    key: string,
    extras: Buffer,
    value: Buffer,
    cas?: Cas,
  ): Promise<RawResponse> {
    const client = this.client;
    client.incrSeq();
    const seq = client.seq;
    const request = header(opcode, Buffer.from(key, 'utf8'), extras, value, seq, cas);
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => {
        reject(
          unavailable(`${opName(opcode)} ${key}`, new Error(`no answer within ${this.guardMs} ms`)),
        );
      }, this.guardMs);
      // Never keep a process alive just for this timer: the socket does that while it lives.
      guard.unref();
      try {
        client.perform(
          key,
          request,
          seq,
          (error, response) => {
            clearTimeout(guard);
            if (error || !response) {
              reject(unavailable(`${opName(opcode)} ${key}`, error));
            } else {
              resolve(response);
            }
          },
          // memjs: `retries = retries || options.retries`, then retries while `--retries > 0`: 1 means one attempt.
          1,
        );
      } catch (error) {
        clearTimeout(guard);
        reject(unavailable(`${opName(opcode)} ${key}`, error));
      }
    });
  }

  /** Reads a key; undefined on a miss. */
  async get(key: string): Promise<Item | undefined> {
    const r = await this.request(OPCODE.get, key, Buffer.alloc(0), Buffer.alloc(0));
    if (r.header.status === Status.KEY_NOT_FOUND) return undefined;
    if (r.header.status !== Status.OK) throw failed('get', key, r.header.status);
    return { value: Buffer.from(r.val), cas: Buffer.from(r.header.cas) };
  }

  /**
   * Stores a value. With `cas`, only if the item still has that CAS token: resolves
   * to the status (OK, KEY_EXISTS on a mismatch, KEY_NOT_FOUND when it vanished).
   */
  async set(key: string, value: Buffer, expires: number, cas?: Cas): Promise<number> {
    const extras = Buffer.concat([Buffer.alloc(4), expiration(expires)]); // flags + expiration
    const r = await this.request(OPCODE.set, key, extras, value, cas);
    const s = r.header.status;
    if (s === Status.OK || (cas && (s === Status.KEY_EXISTS || s === Status.KEY_NOT_FOUND)))
      return s;
    throw failed('set', key, s);
  }

  /** Stores a value only if the key does not exist; resolves false when it exists. */
  async add(key: string, value: Buffer, expires: number): Promise<boolean> {
    const extras = Buffer.concat([Buffer.alloc(4), expiration(expires)]);
    const r = await this.request(OPCODE.add, key, extras, value);
    if (r.header.status === Status.OK) return true;
    if (r.header.status === Status.KEY_EXISTS || r.header.status === Status.NOT_STORED)
      return false;
    throw failed('add', key, r.header.status);
  }

  /** Deletes a key; resolves false when it did not exist. */
  async delete(key: string): Promise<boolean> {
    const r = await this.request(OPCODE.delete, key, Buffer.alloc(0), Buffer.alloc(0));
    if (r.header.status === Status.OK) return true;
    if (r.header.status === Status.KEY_NOT_FOUND) return false;
    throw failed('delete', key, r.header.status);
  }

  /**
   * Adds one to a counter and returns the new value, or undefined when the counter
   * does not exist (it is never created here: expiration 0xffffffff tells memcached
   * to fail instead, so a vanished counter is noticed rather than restarted at 0).
   */
  async increment(key: string): Promise<number | undefined> {
    const extras = Buffer.alloc(20);
    extras.writeBigUInt64BE(1n, 0); // amount
    extras.writeBigUInt64BE(0n, 8); // initial (unused)
    extras.writeUInt32BE(0xffffffff, 16);
    const r = await this.request(OPCODE.increment, key, extras, Buffer.alloc(0));
    if (r.header.status === Status.KEY_NOT_FOUND) return undefined;
    if (r.header.status !== Status.OK) throw failed('increment', key, r.header.status);
    return Number(r.val.readBigUInt64BE(0));
  }

  /** Sets a key's expiration; resolves false when it does not exist. */
  async touch(key: string, expires: number): Promise<boolean> {
    const r = await this.request(OPCODE.touch, key, expiration(expires), Buffer.alloc(0));
    if (r.header.status === Status.OK) return true;
    if (r.header.status === Status.KEY_NOT_FOUND) return false;
    throw failed('touch', key, r.header.status);
  }
}

function opName(opcode: number): string {
  for (const [name, code] of Object.entries(OPCODE)) if (code === opcode) return name;
  return `opcode ${opcode}`;
}
