import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { sleep } from '@rollout/core/store';

/** What a lock file holds, so anyone can tell who owns it and whether it is stale. */
export interface LockOwner {
  /** Process id of the owner. */
  pid: number;
  /** Host name of the owner; the pid is only meaningful on the same host. */
  host: string;
  /** Random token: only the process that holds it may release the lock. */
  token: string;
  /** When the lock was taken (epoch ms). */
  time: number;
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** Give up after waiting this long, in ms. */
  timeout: number;
  /** A lock older than this (ms) is stale even if its owner seems alive (a hung writer). */
  staleAfter: number;
}

/** Thrown by {@link acquireLock} when the lock stayed taken for the whole timeout. */
export class LockTimeoutError extends Error {
  /** The owner seen last, if the lock file could be read. */
  readonly owner: LockOwner | undefined;
  constructor(lockPath: string, timeout: number, owner: LockOwner | undefined) {
    const who = owner
      ? ` held by pid ${owner.pid} on ${owner.host} since ${new Date(owner.time).toISOString()}`
      : '';
    super(`timed out after ${timeout} ms waiting for the lock ${lockPath}${who}`);
    this.name = 'LockTimeoutError';
    this.owner = owner;
  }
}

// A breaker holds the break lock for a few file operations; one older than this crashed.
const BREAK_LOCK_STALE_MS = 5_000;

/**
 * An exclusive inter-process lock held through a lock file created with O_EXCL
 * (`open(path, 'wx')`), which is atomic on local file systems: exactly one
 * process creates the file. The file holds the owner's pid, host, a random token
 * and the time, so a lock whose owner died (same host, pid gone) or that is
 * older than `staleAfter` is broken by the next writer instead of blocking forever.
 */
export class FileLock {
  private constructor(
    /** Path of the lock file. */
    readonly path: string,
    /** This holder's token. */
    readonly token: string,
  ) {}

  /** Waits until the lock is free (or stale), takes it, and returns it. Throws LockTimeoutError. */
  static async acquire(path: string, options: LockOptions): Promise<FileLock> {
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + options.timeout;
    let delay = 1;
    for (;;) {
      const owner: LockOwner = { pid: process.pid, host: hostname(), token, time: Date.now() };
      if (await tryCreate(path, `${JSON.stringify(owner)}\n`)) return new FileLock(path, token);
      const seen = await readLock(path);
      if (seen === undefined) continue; // released between our attempt and the read: retry at once
      if (isStale(seen, options.staleAfter) && (await breakLock(path, seen, options.staleAfter))) {
        continue;
      }
      if (Date.now() >= deadline) throw new LockTimeoutError(path, options.timeout, seen.owner);
      // Jittered, growing to 25 ms: a write holds the lock for a few ms, and jitter
      // keeps waiting processes from retrying in lockstep.
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(25, delay * 2);
    }
  }

  /** True while the lock file still carries this holder's token (it was not broken as stale). */
  async isHeld(): Promise<boolean> {
    const seen = await readLock(this.path);
    return seen?.owner?.token === this.token;
  }

  /** Releases the lock if this holder still owns it; a lock broken by someone else is left alone. */
  async release(): Promise<void> {
    if (await this.isHeld()) await unlink(this.path).catch(ignoreMissing);
  }
}

/** A lock file as read: its owner (undefined while it is being written or if unreadable) and stat. */
interface SeenLock {
  owner: LockOwner | undefined;
  ino: number;
  mtimeMs: number;
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(path: string): Promise<SeenLock | undefined> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    return { owner: parseOwner(text), ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.token === 'string' &&
      typeof value.time === 'number'
    ) {
      return value as LockOwner;
    }
  } catch {
    // Empty or half-written: its owner is between open() and write(), or crashed there.
  }
  return undefined;
}

/** True when the process `pid` on this host is gone. */
function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function isStale(seen: SeenLock, staleAfter: number): boolean {
  const { owner } = seen;
  if (owner === undefined) return Date.now() - seen.mtimeMs > staleAfter;
  if (owner.host === hostname() && owner.pid !== process.pid && processIsGone(owner.pid))
    return true;
  return Date.now() - owner.time > staleAfter;
}

/**
 * Removes a stale lock. Breakers serialize on a second lock file and re-check,
 * under it, that the lock is still the very one judged stale: otherwise two
 * breakers could both see the stale lock, the first break it and a writer take a
 * new one, and the second delete that fresh lock. Returns true when the caller
 * should retry at once.
 */
async function breakLock(path: string, judged: SeenLock, staleAfter: number): Promise<boolean> {
  const breakPath = `${path}.break`;
  const token = randomBytes(8).toString('hex');
  if (!(await tryCreate(breakPath, token))) {
    // Another breaker is at work; clear its lock only if it crashed mid-break.
    const info = await stat(breakPath).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > BREAK_LOCK_STALE_MS) {
      await unlink(breakPath).catch(ignoreMissing);
    }
    return false;
  }
  try {
    const now = await readLock(path);
    if (now === undefined) return true;
    const same =
      now.ino === judged.ino &&
      now.mtimeMs === judged.mtimeMs &&
      now.owner?.token === judged.owner?.token;
    if (!same || !isStale(now, staleAfter)) return false;
    await unlink(path).catch(ignoreMissing);
    return true;
  } finally {
    await unlink(breakPath).catch(ignoreMissing);
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
