import type { BigIntStats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CorruptDataError, StoreError } from '@rollout/core';
import { fsError, isMissing } from './errors.js';
import { EMPTY_DOCUMENT, type FileDocument, parseDocument } from './layout.js';

interface CacheEntry {
  /** inode, size and change times: a new signature means the file changed. */
  readonly signature: string;
  readonly doc: FileDocument | undefined;
  readonly error: CorruptDataError | undefined;
  readonly mode: number | undefined;
}

/** inode, size and change times of a stat: a new signature means the file changed. */
function signatureOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/**
 * The flags file as last read, so that polling an unchanged file costs one
 * `fstat` and no parse. A file that does not parse is cached too (as its
 * CorruptDataError), so polling a corrupt file does not re-parse it every round.
 */
export class DocumentCache {
  private entry: CacheEntry | undefined;

  /** @param path absolute path of the flags file. */
  constructor(private readonly path: string) {}

  /** The permissions of the file as last seen (kept when it is replaced), if it existed. */
  get mode(): number | undefined {
    return this.entry?.mode;
  }

  /**
   * The parsed file (EMPTY_DOCUMENT when it does not exist). Opens it, fstats the
   * handle and re-reads only when the signature changed, or always with `fresh`;
   * the stat and the read come from the same open file, so the cache never pairs
   * new stat data with old content. Throws CorruptDataError or StoreError.
   */
  async load(fresh = false): Promise<FileDocument> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (isMissing(error)) {
        this.entry = undefined;
        return EMPTY_DOCUMENT;
      }
      throw fsError(`reading ${this.path} failed`, error);
    }
    try {
      const info = await handle.stat({ bigint: true });
      const signature = signatureOf(info);
      const cached = this.entry;
      if (!fresh && cached?.signature === signature) {
        if (cached.error) throw cached.error;
        return cached.doc as FileDocument;
      }
      const text = await handle.readFile('utf8');
      const mode = Number(info.mode);
      try {
        const doc = parseDocument(text, this.path);
        this.entry = { signature, doc, error: undefined, mode };
        return doc;
      } catch (error) {
        if (error instanceof CorruptDataError) {
          this.entry = { signature, doc: undefined, error, mode };
        }
        throw error;
      }
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw fsError(`reading ${this.path} failed`, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Caches what was just written, keyed by the new file's signature. Call it under the write lock. */
  async remember(doc: FileDocument): Promise<void> {
    try {
      const info = await stat(this.path, { bigint: true });
      this.entry = { signature: signatureOf(info), doc, error: undefined, mode: Number(info.mode) };
    } catch {
      this.entry = undefined;
    }
  }
}
