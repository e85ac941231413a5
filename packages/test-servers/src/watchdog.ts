import { type ChildProcess, spawn } from 'node:child_process';

// The watchdog's whole program. It learns which server processes and dirs exist
// from JSON lines on stdin; when stdin closes, the test process is gone (however it
// died, SIGKILL included), so it kills what is left and removes the dirs.
const PROGRAM = `
const { rmSync } = require('node:fs');
const servers = new Map();
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\\n'); i >= 0; i = buffer.indexOf('\\n')) {
    const entry = JSON.parse(buffer.slice(0, i));
    buffer = buffer.slice(i + 1);
    if (entry.dir === null) servers.delete(entry.id); else servers.set(entry.id, entry);
  }
});
const reap = () => {
  for (const { pid, dir } of servers.values()) {
    if (pid > 0) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    try { rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {}
  }
  process.exit(0);
};
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
`;

let watchdog: ChildProcess | undefined;
let nextId = 1;

function send(entry: { id: number; pid: number; dir: string | null }): void {
  if (watchdog === undefined) {
    // Detached: its own process group, so a Ctrl-C to the test run does not kill it
    // before it has cleaned up. Unref'd: it never keeps the test process alive.
    watchdog = spawn(process.execPath, ['-e', PROGRAM], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog.stdin?.on('error', () => {});
  }
  watchdog.stdin?.write(`${JSON.stringify(entry)}\n`);
}

/**
 * A slot in the watchdog: a separate small process that kills the server and
 * removes its dir if this process dies without cleaning up (SIGKILL, a crash, a
 * worker killed on timeout), where exit handlers never run.
 */
export class WatchdogEntry {
  private readonly id = nextId++;

  constructor(private readonly dir: string) {
    send({ id: this.id, pid: 0, dir });
  }

  /** Records the server's current pid (0 when it is not running). */
  running(pid: number | undefined): void {
    send({ id: this.id, pid: pid ?? 0, dir: this.dir });
  }

  /** The server and its dir are gone; forget them. */
  release(): void {
    send({ id: this.id, pid: 0, dir: null });
  }
}
