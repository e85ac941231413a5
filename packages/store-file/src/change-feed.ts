import { createHash } from 'node:crypto';
import { CorruptDataError, StoreError } from '@rollout/core';
import { ListenerSet, type StoreListener, sleep } from '@rollout/core/store';
import { fileDeleted, fsError } from './errors.js';
import { FileWatcher } from './file-watcher.js';
import type { FileDocument } from './layout.js';
import type { ResolvedOptions } from './options.js';

// How long a watcher waits before re-reading a file that did not parse (likely mid-save).
const HALF_SAVED_RETRY_MS = 50;

/** What subscribers last saw: the document and a fingerprint per feature. */
interface Seen {
  readonly doc: FileDocument;
  readonly prints: ReadonlyMap<string, string>;
}

/** What the feed reads the file with, and how it learns of this instance's own writes. */
export interface FeedSource {
  /** The parsed file (cached; see DocumentCache.load). */
  load(): Promise<FileDocument>;
  /** How many writes this instance has made so far. */
  writes(): number;
}

/**
 * The push channel of the file store: tells subscribers about changes made by any
 * process, or by hand. A write through this instance is reported at once
 * ({@link ownWrite}); anything else is found by re-reading the file when the
 * directory watch or the poll timer fires and comparing it with what was last
 * reported: the revision moved by one and exactly one feature differs:
 * `change({ revision, name })`; several changed at once, or the file was edited by
 * hand, replaced or deleted: `resync()`. An unreadable file is reported once
 * through `error` (a deleted file as DataLostError, then `resync()`). When the watch
 * was lost (its directory replaced) and is back, the next look is a `resync()`.
 */
export class ChangeFeed {
  private readonly listeners = new ListenerSet();
  private readonly watcher: FileWatcher;
  private readonly prints = new WeakMap<FileDocument, ReadonlyMap<string, string>>();
  private seen: Seen | undefined;
  private checking = false;
  private recheck = false;
  private lastErrorSignature: string | undefined;
  // The watch was lost and is back: the next look resyncs, whatever it finds.
  private afterGap = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly source: FeedSource,
  ) {
    this.watcher = new FileWatcher(
      options.path,
      options.pollInterval,
      options.watch,
      (afterGap) => {
        if (afterGap) this.afterGap = true;
        void this.check();
      },
    );
  }

  /** Adds a subscriber and starts watching; the returned function removes it (the last one stops the watch). */
  async subscribe(listener: StoreListener): Promise<() => Promise<void>> {
    const remove = this.listeners.add(listener);
    if (this.seen === undefined) {
      try {
        this.observe(await this.source.load());
      } catch {
        // Reported through `error` by the first check; the snapshot load will throw it too.
      }
    }
    this.watcher.start();
    return async () => {
      await remove();
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Reports a write made through this instance (`doc` is the file it wrote). */
  ownWrite(doc: FileDocument, name: string): void {
    if (this.listeners.size === 0) return;
    const previous = this.seen;
    this.seen = { doc, prints: this.fingerprints(doc) };
    // Another process wrote since we last looked: one `change` would hide its write.
    if (previous !== undefined && doc.revision === previous.doc.revision + 1) {
      this.listeners.change({ revision: doc.revision, name });
    } else {
      this.listeners.resync();
    }
  }

  /** Drops every subscriber and stops watching. Idempotent. */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    this.watcher.stop();
    this.seen = undefined;
    this.lastErrorSignature = undefined;
    this.afterGap = false;
  }

  /** Re-reads the file (after a watch event or a poll) and reports what changed. Never overlaps itself. */
  private async check(): Promise<void> {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    let retried = false;
    try {
      do {
        this.recheck = false;
        if (this.listeners.size === 0) return;
        const writesBefore = this.source.writes();
        let doc: FileDocument;
        try {
          doc = await this.source.load();
        } catch (error) {
          if (error instanceof CorruptDataError && !retried) {
            // Editors that save in place truncate, then write: give the save a moment
            // to finish before calling the file corrupt.
            retried = true;
            this.recheck = true;
            await sleep(HALF_SAVED_RETRY_MS);
            continue;
          }
          this.reportError(error);
          continue;
        }
        retried = false;
        // Our own write landed while we were reading: this read may predate it.
        if (this.source.writes() !== writesBefore) {
          this.recheck = true;
          continue;
        }
        this.observe(doc);
      } while (this.recheck);
    } finally {
      this.checking = false;
    }
  }

  private reportError(error: unknown): void {
    const storeError =
      error instanceof StoreError ? error : fsError(`reading ${this.options.path} failed`, error);
    const signature = `${storeError.code}:${storeError.message}`;
    if (signature === this.lastErrorSignature) return;
    this.lastErrorSignature = signature;
    this.listeners.error(storeError);
  }

  /** Compares `doc` with what subscribers last saw and notifies them. */
  private observe(doc: FileDocument): void {
    const previous = this.seen;
    // After an error or a gap in the watch we cannot know what was missed: resync.
    const recovered = this.lastErrorSignature !== undefined || this.afterGap;
    if (previous?.doc === doc && !recovered) return;
    const prints = this.fingerprints(doc);
    this.seen = { doc, prints };
    this.lastErrorSignature = undefined;
    this.afterGap = false;
    if (previous === undefined) {
      if (recovered) this.listeners.resync();
      return;
    }
    if (previous.doc.exists && !doc.exists) this.listeners.error(fileDeleted(this.options.path));
    const changed: string[] = [];
    for (const [name, print] of prints) if (previous.prints.get(name) !== print) changed.push(name);
    for (const name of previous.prints.keys()) if (!prints.has(name)) changed.push(name);
    const only = changed.length === 1 ? changed[0] : undefined;
    if (only !== undefined && doc.revision === previous.doc.revision + 1 && !recovered) {
      this.listeners.change({ revision: doc.revision, name: only });
    } else if (changed.length > 0 || doc.revision !== previous.doc.revision || recovered) {
      this.listeners.resync();
    }
  }

  /** A content hash per feature, so hand edits that keep the version are noticed too. */
  private fingerprints(doc: FileDocument): ReadonlyMap<string, string> {
    let prints = this.prints.get(doc);
    if (prints === undefined) {
      const map = new Map<string, string>();
      for (const [name, feature] of doc.features) {
        map.set(name, createHash('sha1').update(JSON.stringify(feature)).digest('base64'));
      }
      prints = map;
      this.prints.set(doc, prints);
    }
    return prints;
  }
}
