import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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

/**
 * How long (ms) a lock file may stay without a readable owner before it is broken.
 * A lock is created whole (its owner is written to a temp file that is then linked
 * into place), so an empty or unreadable lock comes only from a file system without
 * hard links, where the owner is written just after the file is created, or from
 * another tool; its writer either finishes within milliseconds or died in between.
 */
export const UNWRITTEN_LOCK_GRACE_MS = 1_000;

/**
 * An exclusive inter-process lock held through a lock file that exactly one
 * process can create: its owner (pid, host, a random token, the time) is written to
 * a temp file, which is then hard-linked to the lock path (`link` fails with EEXIST
 * when the lock exists, atomically on local file systems), so the lock never exists
 * without its owner. A lock whose owner died (same host, pid gone) is broken by the
 * next writer at once, one older than `staleAfter` too (a hung writer), and one
 * without a readable owner after {@link UNWRITTEN_LOCK_GRACE_MS}: a writer killed at
 * any point never blocks the others for long.
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
      if (await createLockFile(path, token)) return new FileLock(path, token);
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

/**
 * Creates the lock file `path` holding this process as owner with `token`, unless it
 * exists (then false). The owner goes to a temp file first, linked into place, so the
 * lock appears with its content; where hard links are unsupported, falls back to
 * `open(path, 'wx')` then write, which an {@link UNWRITTEN_LOCK_GRACE_MS} covers.
 */
async function createLockFile(path: string, token: string): Promise<boolean> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), token, time: Date.now() };
  const content = `${JSON.stringify(owner)}\n`;
  // Named by the token: never collides, and a crash right here leaves only this temp file.
  const temp = `${path}.${token}.tmp`;
  await writeFile(temp, content, { encoding: 'utf8', flag: 'wx', mode: 0o644 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP')
      throw error;
    return await createWithoutLink(path, content);
  } finally {
    await unlink(temp).catch(ignoreMissing);
  }
}

/** {@link createLockFile} on a file system without hard links: O_EXCL create, then write. */
async function createWithoutLink(path: string, content: string): Promise<boolean> {
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
    // Empty or half-written: written without a hard link, its owner is between open()
    // and write() or crashed there; or another tool wrote it.
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

/** Whether a lock (or break lock) as seen may be broken: see {@link FileLock}. */
function isStale(seen: SeenLock, staleAfter: number): boolean {
  const { owner } = seen;
  if (owner === undefined)
    return Date.now() - seen.mtimeMs > Math.min(staleAfter, UNWRITTEN_LOCK_GRACE_MS);
  if (owner.host === hostname() && owner.pid !== process.pid && processIsGone(owner.pid))
    return true;
  return Date.now() - owner.time > staleAfter;
}

/**
 * Removes a stale lock. Breakers serialize on a second lock file, `<lock>.break`
 * (created like the lock, so it names its owner), and re-check, under it, that the
 * lock is still the very one judged stale: otherwise two breakers could both see the
 * stale lock, the first break it and a writer take a new one, and the second delete
 * that fresh lock. A break lock is judged like a lock: one whose breaker died is
 * removed at once. Returns true when the caller should retry at once.
 */
async function breakLock(path: string, judged: SeenLock, staleAfter: number): Promise<boolean> {
  const breakPath = `${path}.break`;
  const token = randomBytes(16).toString('hex');
  if (!(await createLockFile(breakPath, token))) {
    // Another breaker is at work: wait for it, unless it died (or hangs) holding the break lock.
    const breaker = await readLock(breakPath);
    if (breaker === undefined) return true;
    return isStale(breaker, staleAfter) && (await removeJudged(breakPath, breaker));
  }
  try {
    const now = await readLock(path);
    if (now === undefined) return true;
    if (!sameLock(now, judged) || !isStale(now, staleAfter)) return false;
    await unlink(path).catch(ignoreMissing);
    return true;
  } finally {
    const mine = await readLock(breakPath).catch(() => undefined);
    if (mine?.owner?.token === token) await unlink(breakPath).catch(ignoreMissing);
  }
}

function sameLock(a: SeenLock, b: SeenLock): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.owner?.token === b.owner?.token;
}

/**
 * Removes the break lock `judged` (its breaker died) and nothing else: it is renamed
 * aside first, atomically, and only deleted if the file renamed is the one judged.
 * If another process replaced it meanwhile (a live breaker's), that one is linked
 * back. Returns true when the judged file is gone.
 */
async function removeJudged(path: string, judged: SeenLock): Promise<boolean> {
  const aside = `${path}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    ignoreMissing(error);
    return true; // someone else removed it
  }
  const moved = await readLock(aside);
  if (moved === undefined || sameLock(moved, judged)) {
    await unlink(aside).catch(ignoreMissing);
    return true;
  }
  // Not the one judged: put the live breaker's lock back (EEXIST: a third took its place).
  await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(ignoreMissing);
  return false;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
