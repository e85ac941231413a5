import { type FSWatcher, type Stats, statSync, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/**
 * Says "the file may have changed"; `afterGap` is true the first time after a lost
 * watch was replaced by a new one (events may have been missed in between).
 */
export type WatchSignal = (afterGap: boolean) => void;

/** Which directory a stat names (a replaced directory has another inode). */
const identity = (s: Stats) => `${s.dev}:${s.ino}`;

/**
 * Signals "the file may have changed": on every `fs.watch` event for the file's
 * name, and every `pollInterval` ms as a fallback (fs.watch misses events on
 * network and some container file systems, and cannot watch a directory that
 * does not exist yet). The directory is watched, not the file: an atomic write
 * renames a new file over the old one, and a watch on the old inode would go
 * silent after the first write. The signal carries no data; the change feed re-reads.
 *
 * A watch follows the directory it was opened on, not the path: when the directory
 * is replaced (a ConfigMap update or a deploy switching a link, a directory deleted
 * and made again) it goes deaf without an error. So each poll round also checks that
 * the path still names the watched directory; when it does not (or the watch broke),
 * the watch is dropped, a new one is opened on what the path names now, and the next
 * signal says `afterGap`.
 */
export class FileWatcher {
  private watcher: FSWatcher | undefined;
  // The directory the watch was opened on (see `identity`).
  private watched: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  // A watch was lost since the last signal: what happened meanwhile may have gone unheard.
  private gap = false;
  private readonly dir: string;
  private readonly base: string;

  constructor(
    path: string,
    private readonly pollInterval: number,
    private readonly useWatch: boolean,
    private readonly signal: WatchSignal,
  ) {
    this.dir = dirname(path);
    this.base = basename(path);
  }

  /** Starts watching and polling. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.startWatch();
    const timer = setInterval(() => void this.poll(timer), this.pollInterval);
    this.timer = timer;
    // A flags watcher never keeps the process alive by itself.
    timer.unref();
  }

  /** Stops watching and polling. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.gap = false;
    this.dropWatch();
  }

  /** One poll round: replace a watch that went deaf, then signal. */
  private async poll(timer: ReturnType<typeof setInterval>): Promise<void> {
    const watcher = this.watcher;
    if (watcher) {
      const now = await stat(this.dir).then(identity, () => undefined);
      // Stopped, or the watch changed, while the stat ran: this round is stale.
      if (this.timer !== timer || this.watcher !== watcher) return;
      if (now !== this.watched) this.lose();
    }
    // Retry the watch each round: the directory may have been created or replaced since.
    if (!this.watcher) this.startWatch();
    this.emit();
  }

  private emit(): void {
    // Only once a watch is back is the gap over; while polling alone, keep it for later.
    const afterGap = this.gap && this.watcher !== undefined;
    if (afterGap) this.gap = false;
    this.signal(afterGap);
  }

  /** The watch no longer hears the file: drop it, and remember that events may be lost. */
  private lose(): void {
    this.dropWatch();
    this.gap = true;
  }

  private dropWatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watched = undefined;
  }

  private startWatch(): void {
    if (!this.useWatch || this.watcher) return;
    try {
      // Identified before the watch opens: if the directory is replaced in between, the
      // next round sees a mismatch and watches again (a spare resync, never a deaf watch).
      const watched = identity(statSync(this.dir));
      const watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        // Lock and temp files live in the same directory; only the target matters.
        // Some platforms give no file name: then it may be ours.
        if (filename === null || filename === this.base) this.emit();
      });
      watcher.on('error', () => {
        // The directory vanished or the watch broke: fall back to polling, retried each round.
        if (this.watcher === watcher) this.lose();
        else watcher.close();
        this.emit();
      });
      this.watcher = watcher;
      this.watched = watched;
    } catch {
      // ENOENT (no directory yet), ENOSPC (inotify watch limit), unsupported platform: poll.
      this.watcher = undefined;
      this.watched = undefined;
    }
  }
}
