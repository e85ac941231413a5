import { type FileHandle, open } from 'node:fs/promises';
import { isRolloutError } from '@rollout/core';
import { historyEntry, type WriteRecord } from '@rollout/core/store';
import { writeAll, writeFileAtomic } from './atomic-write.js';
import { fsError, isMissing } from './errors.js';
import { visibleEntries } from './history.js';
import {
  entryLine,
  type HistoryHeader,
  headerLine,
  parseHeader,
  readHistoryFile,
} from './history-file.js';

/**
 * A sidecar is rewritten whole (compacted) only once its entry lines have grown past
 * twice what they were at the last rewrite, and past this many bytes: every rewrite
 * then pays for at least as many appended bytes as it writes, so a write costs the
 * size of its own entry, amortized.
 */
export const COMPACT_MIN_BYTES = 64 * 1024;

// The header is one short line; reading this much always gets all of it.
const HEADER_PROBE_BYTES = 4096;
// How far back a torn last line is searched for its line start, per read.
const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * Records the entry of one write at `previousRevision + 1` (the flags file's next
 * revision) in the sidecar at `historyPath`. Call under the file lock, before the
 * flags file is replaced (history.ts says why that order). Usually one append of one
 * line, then fsync; the whole file is rewritten atomically (temp file, fsync, rename)
 * only when it is missing, in the v1 format (migrated), or due for compaction (then
 * keeping the `limit` newest visible entries per feature). A torn last line left by a
 * writer that died mid-append is cut off first. Throws StoreError when the file cannot
 * be written, CorruptDataError when it cannot be parsed (it is never overwritten
 * then); the flags file is not written in either case.
 */
export async function appendHistory(
  historyPath: string,
  previousRevision: number,
  write: Omit<WriteRecord, 'revision' | 'at'>,
  limit: number,
  mode: number | undefined,
): Promise<void> {
  const entry = historyEntry({
    ...write,
    revision: previousRevision + 1,
    at: new Date().toISOString(),
  });
  const line = entryLine(entry);
  let handle: FileHandle;
  try {
    // r+: read the header and the tail, append at the end; no O_APPEND, so the
    // write lands exactly where this writer checked the file ends.
    handle = await open(historyPath, 'r+');
  } catch (error) {
    if (isMissing(error))
      return rewrite(historyPath, previousRevision, entry.name, line, limit, mode);
    throw fsError(`opening ${historyPath} failed; nothing was written`, error);
  }
  let rewriteNeeded = false;
  try {
    const size = (await handle.stat()).size;
    const header = size === 0 ? undefined : await readHeader(handle, historyPath);
    if (!header) {
      rewriteNeeded = true; // missing (empty) or v1: migrate
    } else {
      const end = await completeEnd(handle, size, header.length);
      const grown = end - header.length;
      if (grown > COMPACT_MIN_BYTES && grown > 2 * header.header.compacted) {
        rewriteNeeded = true;
      } else {
        // One write of one line at the end of the complete lines (over a torn tail,
        // which truncate then removes), then fsync like the flags file: the entry
        // must be durable before the write it records can be.
        const bytes = Buffer.from(line, 'utf8');
        await writeAll(handle, bytes, end);
        if (end < size) await handle.truncate(end + bytes.length);
        await handle.sync();
      }
    }
  } catch (error) {
    // A CorruptDataError (a header of an unknown format) as it is; file system errors named.
    if (isRolloutError(error)) throw error;
    throw fsError(`writing ${historyPath} failed; nothing was written`, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (rewriteNeeded) await rewrite(historyPath, previousRevision, entry.name, line, limit, mode);
}

/**
 * Writes the sidecar whole: the visible entries as of `previousRevision` (lines copied
 * as they are), the `limit - 1` newest of `name` (the written feature) and the `limit`
 * newest of every other feature, then `line`. Migrates a v1 file.
 */
async function rewrite(
  historyPath: string,
  previousRevision: number,
  name: string,
  line: string,
  limit: number,
  mode: number | undefined,
): Promise<void> {
  const file = await readHistoryFile(historyPath);
  const lines: string[] = [line];
  let ofName = 1; // the entry being written counts toward its feature's limit
  for (const { entry, text } of visibleEntries(file, historyPath, previousRevision, limit, false)) {
    if (entry.name === name && ofName++ >= limit) continue;
    lines.push(text === undefined ? entryLine(entry) : `${text}\n`);
  }
  lines.reverse(); // oldest first
  const compacted = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  try {
    await writeFileAtomic(historyPath, [headerLine(compacted), ...lines], mode);
  } catch (error) {
    throw fsError(`writing ${historyPath} failed; nothing was written`, error);
  }
}

/** The parsed header and its length in bytes (newline included), or undefined for a v1 file. */
async function readHeader(
  handle: FileHandle,
  path: string,
): Promise<{ header: HistoryHeader; length: number } | undefined> {
  const probe = Buffer.alloc(HEADER_PROBE_BYTES);
  const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
  const end = probe.subarray(0, bytesRead).indexOf(10);
  if (end < 0) return undefined;
  const header = parseHeader(probe.toString('utf8', 0, end), path);
  return header && { header, length: end + 1 };
}

/**
 * Where the file's complete lines end: `size` when it ends with a newline, else just
 * after the last newline (the rest is a torn append of a writer that died). Reads
 * backwards from the end, so a whole file is read only when a torn line is that long.
 */
async function completeEnd(
  handle: FileHandle,
  size: number,
  headerLength: number,
): Promise<number> {
  // The usual case, one byte: the last append finished.
  const end = Buffer.alloc(1);
  await handle.read(end, 0, 1, size - 1);
  if (end[0] === 10) return size;
  const chunk = Buffer.alloc(Math.min(TAIL_CHUNK_BYTES, size));
  // The header's own newline (at headerLength - 1) bounds the search.
  for (let to = size; to > headerLength - 1; ) {
    const from = Math.max(headerLength - 1, to - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, to - from, from);
    const last = chunk.subarray(0, bytesRead).lastIndexOf(10);
    if (last >= 0) return from + last + 1;
    to = from;
  }
  return headerLength;
}
