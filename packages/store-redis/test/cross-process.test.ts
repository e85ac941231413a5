import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Rollout } from '@rollout/core';
import { nextEvent } from '@rollout/store-test-suite';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { uniquePrefix } from './helpers.js';

// The child imports ../dist: the package must be built (turbo runs build before test).
const script = fileURLToPath(new URL('./fixtures/writer-process.mjs', import.meta.url));

/** A child process with its own Rollout client, driven one command at a time. */
class WriterProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (reply: { ok: boolean; error?: string }) => void>();
  private nextId = 1;
  private stderr = '';
  readonly ready: Promise<void>;

  constructor(url: string, prefix: string) {
    this.child = spawn(process.execPath, [script, url, prefix], { stdio: 'pipe' });
    this.child.stderr.on('data', (chunk) => {
      this.stderr += String(chunk);
    });
    const lines = createInterface({ input: this.child.stdout });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) =>
        reject(new Error(`writer process exited (${code}):\n${this.stderr}`)),
      );
      lines.on('line', (line) => {
        const message = JSON.parse(line) as { id: number; ok: boolean; error?: string };
        if (message.id === 0) resolve();
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      });
    });
  }

  async send(command: Record<string, unknown>): Promise<void> {
    const id = this.nextId++;
    const reply = new Promise<{ ok: boolean; error?: string }>((resolve) =>
      this.waiting.set(id, resolve),
    );
    this.child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    const { ok, error } = await reply;
    if (!ok) throw new Error(`writer process: ${error}\n${this.stderr}`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server?.kill());

describe('two Rollout clients in different processes', () => {
  it("a write in the child reaches the parent's can through pub/sub, also after a restart", async () => {
    const prefix = uniquePrefix('xproc');
    // A one-minute poll: within this test only pub/sub (or a resync after an outage)
    // can bring the child's writes here.
    const parent = new Rollout({
      store: new RedisStore({ url: server.url, prefix }),
      pollInterval: 60_000,
      maxBackoff: 300,
    });
    await parent.ready();
    const child = new WriterProcess(server.url, prefix);
    try {
      await child.ready;
      expect(parent.can({ id: 42 }, 'checkout')).toBe(false);

      const first = nextEvent(
        parent,
        'change',
        (c) => c.name === 'checkout' && c.source === 'remote',
      );
      await child.send({ op: 'activateUser', name: 'checkout', user: 42 });
      await first;
      expect(parent.can({ id: 42 }, 'checkout')).toBe(true);
      expect(parent.can({ id: 43 }, 'checkout')).toBe(false);

      // Restart the server; wait until the parent has resynced before the next write,
      // so the write can only arrive through the re-established subscription.
      const stale = nextEvent(parent, 'stale');
      await server.stop();
      await stale;
      const fresh = nextEvent(parent, 'fresh');
      await server.start();
      await fresh;

      const second = nextEvent(
        parent,
        'change',
        (c) => c.name === 'checkout' && c.feature?.users.includes('43') === true,
      );
      await child.send({ op: 'activateUser', name: 'checkout', user: 43 });
      await second;
      expect(parent.can({ id: 43 }, 'checkout')).toBe(true);

      const removed = nextEvent(parent, 'change', (c) => c.name === 'checkout' && !c.feature);
      await child.send({ op: 'removeFeature', name: 'checkout' });
      await removed;
      expect(parent.can({ id: 42 }, 'checkout')).toBe(false);
    } finally {
      await child.close();
      await parent.close();
    }
    // Well under the parent's one-minute poll: a pass cannot come from polling.
  }, 30_000);
});
