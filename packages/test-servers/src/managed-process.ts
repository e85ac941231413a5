import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { onExit, removeDirSync } from './cleanup.js';
import { WatchdogEntry } from './watchdog.js';

/** How to run and probe one server process. */
export interface ManagedProcessOptions {
  /** Short name for messages: `redis-server`, `memcached`, `postgres`. */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Temp dir owned by this server; removed by `kill()` and at process exit. */
  readonly dir: string;
  /** Where the server's stdout/stderr go (inside `dir`). */
  readonly logFile: string;
  /** Extra spawn options (uid/gid to drop root for PostgreSQL, cwd). */
  readonly spawnOptions?: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'>;
  /** Resolves true once the server answers requests. Called repeatedly until it does. */
  readonly isReady: () => Promise<boolean>;
  /** Signal for a graceful stop (Redis: SIGTERM saves; PostgreSQL: SIGINT is "fast" shutdown). */
  readonly stopSignal: NodeJS.Signals;
  /** Ms to wait for the server to answer after spawning. */
  readonly startTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One server process: start it and wait until it answers, stop it gracefully
 * (keeping its dir so it can start again), or kill it and remove the dir.
 * Always torn down at process exit.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private dead = false;
  private readonly unregister: () => void;
  private readonly watchdog: WatchdogEntry;

  constructor(private readonly options: ManagedProcessOptions) {
    this.watchdog = new WatchdogEntry(options.dir);
    this.unregister = onExit(() => {
      if (this.child?.pid !== undefined && this.child.exitCode === null) {
        // SIGKILL: an exit handler cannot wait for a graceful stop. PostgreSQL's
        // backends notice their postmaster died and exit on their own.
        this.child.kill('SIGKILL');
      }
      removeDirSync(this.options.dir);
    });
  }

  /** Spawns the server (if not running) and resolves once it answers. */
  async start(): Promise<void> {
    if (this.dead) throw new Error(`[rollout] [test-servers] ${this.options.label} was killed`);
    if (this.child !== undefined) return;
    const { command, args, logFile, spawnOptions, label } = this.options;
    const log = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, [...args], { ...spawnOptions, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.watchdog.running(child.pid);
    let exitInfo: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = signal ?? `code ${code}`;
        if (!this.dead) this.watchdog.running(undefined);
        if (this.child === child) {
          this.child = undefined;
          this.exited = undefined;
        }
        resolve();
      });
      child.once('error', (error) => {
        exitInfo = error.message;
        if (this.child === child) {
          this.child = undefined;
          this.exited = undefined;
        }
        resolve();
      });
    });
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30_000);
    for (;;) {
      if (exitInfo !== undefined) {
        throw new Error(
          `[rollout] [test-servers] ${label} exited while starting (${exitInfo}):\n${this.logTail()}`,
        );
      }
      if (await this.options.isReady().catch(() => false)) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `[rollout] [test-servers] ${label} did not answer within ${this.options.startTimeoutMs ?? 30_000} ms:\n${this.logTail()}`,
        );
      }
      await sleep(50);
    }
  }

  /** Graceful stop; keeps the dir. Falls back to SIGKILL after `timeoutMs`. Idempotent. */
  async stop(signal: NodeJS.Signals = this.options.stopSignal, timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (child === undefined || exited === undefined) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops fast (SIGKILL after a short grace) and removes the dir. Idempotent. */
  async kill(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    await this.stop(this.options.stopSignal, 3_000);
    this.unregister();
    await rm(this.options.dir, { recursive: true, force: true, maxRetries: 3 });
    this.watchdog.release();
  }

  /**
   * Starts the server and runs `then` (e.g. creating a database); if either fails,
   * kills it and removes its dir before rethrowing, so a half-started server never leaks.
   */
  async launch(then?: () => Promise<void>): Promise<void> {
    try {
      await this.start();
      await then?.();
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** The stop/start/kill trio a server handle hands to tests. */
  controls(): { stop(): Promise<void>; start(): Promise<void>; kill(): Promise<void> } {
    return { stop: () => this.stop(), start: () => this.start(), kill: () => this.kill() };
  }

  /** The last lines of the server's log, for error messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.options.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
