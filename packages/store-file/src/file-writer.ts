import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Feature } from '@rollout/core';
import type { WriteRecord } from '@rollout/core/store';
import { writeFileAtomic } from './atomic-write.js';
import type { DocumentCache } from './document-cache.js';
import { fsError, isMissing, lockError, lockLost } from './errors.js';
import { FileLock } from './file-lock.js';
import { appendHistory } from './history-append.js';
import { type FileDocument, serializeDocument } from './layout.js';
import type { ResolvedOptions } from './options.js';

/** What one read-modify-write decided: the new feature map (undefined: write nothing) and the caller's result. */
export interface WritePlan<T> {
  /** The feature written or removed, for the change notification. */
  readonly name: string;
  readonly features: Map<string, Feature> | undefined;
  readonly result: T;
  /** The write's history entry (without revision and time, which the writer adds). */
  readonly history?: Omit<WriteRecord, 'revision' | 'at'>;
}

/**
 * The writes of one store instance to the flags file. Each runs queued behind this
 * instance's other writes, then under the inter-process lock file, on a fresh read;
 * the new file replaces the old one atomically, so writers in any number of
 * processes lose nothing and a reader never sees half a file.
 */
export class FileWriter {
  // Writes from this instance queue up here before contending for the file lock.
  private queue: Promise<unknown> = Promise.resolve();
  private count = 0;

  /**
   * @param written called under the lock after each write landed, with the new
   *   document and the feature's name (the store tells its subscribers).
   */
  constructor(
    private readonly options: ResolvedOptions,
    private readonly cache: DocumentCache,
    private readonly written: (doc: FileDocument, name: string) => void,
  ) {}

  /** How many writes this instance has made: a reader that saw it move knows its read may predate one. */
  get writes(): number {
    return this.count;
  }

  /**
   * Runs one read-modify-write. `plan` gets the file as it is under the lock and
   * decides; a file that does not parse throws before `plan`, so it is never
   * overwritten. Throws StoreUnavailableError when the lock cannot be had (or was
   * lost) and StoreError when the file cannot be written; nothing is written then.
   */
  write<T>(plan: (doc: FileDocument) => WritePlan<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const lock = await this.lock();
      try {
        // Re-read under the lock: the version check must see the latest file.
        const doc = await this.cache.load(true);
        const { name, features, result, history } = plan(doc);
        if (features === undefined) return result;
        const revision = doc.revision + 1;
        const text = serializeDocument(revision, features);
        // If we held the lock past staleLockTimeout, someone may have broken it:
        // writing now could undo their write, so give up instead.
        if (!(await lock.isHeld())) {
          throw lockLost(this.options.lockPath, this.options.staleLockTimeout);
        }
        // The history sidecar first: see history.ts for why that order is safe.
        if (history) {
          const { historyPath, historyLimit } = this.options;
          await appendHistory(historyPath, doc.revision, history, historyLimit, this.cache.mode);
        }
        try {
          await writeFileAtomic(this.options.path, text, this.cache.mode);
        } catch (error) {
          throw fsError(`writing ${this.options.path} failed; the file is unchanged`, error);
        }
        this.count++;
        const next: FileDocument = { exists: true, revision, features };
        await this.cache.remember(next);
        this.written(next, name);
        return result;
      } finally {
        await lock.release().catch(() => undefined);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Creates the file's directory (recursively). Throws StoreError. */
  async ensureDirectory(): Promise<void> {
    const dir = dirname(this.options.path);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw fsError(`creating the directory ${dir} failed`, error);
    }
  }

  private async lock(): Promise<FileLock> {
    const { path, lockPath, lockTimeout, staleLockTimeout, createDirectory } = this.options;
    try {
      return await FileLock.acquire(lockPath, {
        timeout: lockTimeout,
        staleAfter: staleLockTimeout,
      });
    } catch (error) {
      // No directory yet: create it when allowed, then try again.
      if (isMissing(error) && createDirectory) {
        await this.ensureDirectory();
        return this.lock();
      }
      throw lockError(error, path, lockPath);
    }
  }
}
