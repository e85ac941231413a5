import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** tsx's ESM entry, resolved from this package, so children run TypeScript whatever their cwd. */
const TSX = import.meta.resolve('tsx');

/** Forks a TypeScript module of this package as a child process with an IPC channel. */
export function forkTs(script: URL, args: string[] = []): ChildProcess {
  return fork(fileURLToPath(script), args, {
    execArgv: ['--expose-gc', '--import', TSX],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** A message from a child, as the bench's children send them. */
export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

/**
 * Collects messages from a child; `next` resolves with the first message (already
 * received or future) that matches, or rejects after `timeoutMs` or when the child exits.
 */
export class Mailbox {
  private readonly queue: ChildMessage[] = [];
  private waiter:
    | { match: (m: ChildMessage) => boolean; resolve: (m: ChildMessage) => void }
    | undefined;
  private exited: string | undefined;
  private failWaiter: ((e: Error) => void) | undefined;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: ChildMessage) => {
      if (this.waiter?.match(m)) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(m);
      } else {
        this.queue.push(m);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = `child exited (${code ?? signal})`;
      this.failWaiter?.(new Error(this.exited));
    });
  }

  /** The next message matching `match` (queued ones first). */
  next(match: (m: ChildMessage) => boolean, timeoutMs: number): Promise<ChildMessage> {
    const i = this.queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0] as ChildMessage);
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no matching message from the child within ${timeoutMs} ms`));
      }, timeoutMs);
      this.failWaiter = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      this.waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
    });
  }

  /** Drops queued messages. */
  clear(): void {
    this.queue.length = 0;
  }

  /** Asks the child to exit and waits (kills it after 5 s). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  }
}

/** Monotonic nanoseconds (CLOCK_MONOTONIC: the same clock in every process of the machine). */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}
