import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Signals "the file may have changed": on every `fs.watch` event for the file's
 * name, and every `pollInterval` ms as a fallback (fs.watch misses events on
 * network and some container file systems, and cannot watch a directory that
 * does not exist yet). The directory is watched, not the file: an atomic write
 * renames a new file over the old one, and a watch on the old inode would go
 * silent after the first write. The signal carries no data; the change feed re-reads.
 */
export class FileWatcher {
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly dir: string;
  private readonly base: string;

  constructor(
    path: string,
    private readonly pollInterval: number,
    private readonly useWatch: boolean,
    private readonly signal: () => void,
  ) {
    this.dir = dirname(path);
    this.base = basename(path);
  }

  /** Starts watching and polling. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.startWatch();
    this.timer = setInterval(() => {
      // Retry the watch each round: the directory may have been created since.
      if (!this.watcher) this.startWatch();
      this.signal();
    }, this.pollInterval);
    // A flags watcher never keeps the process alive by itself.
    this.timer.unref();
  }

  /** Stops watching and polling. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private startWatch(): void {
    if (!this.useWatch || this.watcher) return;
    try {
      const watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        // Lock and temp files live in the same directory; only the target matters.
        // Some platforms give no file name: then it may be ours.
        if (filename === null || filename === this.base) this.signal();
      });
      watcher.on('error', () => {
        // The directory vanished or the watch broke: fall back to polling, retried each round.
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
        this.signal();
      });
      this.watcher = watcher;
    } catch {
      // ENOENT (no directory yet), ENOSPC (inotify watch limit), unsupported platform: poll.
      this.watcher = undefined;
    }
  }
}
