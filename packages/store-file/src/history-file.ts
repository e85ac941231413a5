import { readFile } from 'node:fs/promises';
import { CorruptDataError, type HistoryEntry, parseFeature } from '@rollout/core';
import { fsError, isMissing, STORE_NAME } from './errors.js';

/** The `format` of the sidecar's header line (JSON lines, appended one entry per write). */
export const HISTORY_FORMAT = 'rollout-history/v2';

/** The `format` of the whole-file sidecar written before v2; still read, migrated on the next write. */
export const HISTORY_FORMAT_V1 = 'rollout-history/v1';

/** The first line of a v2 sidecar, parsed. */
export interface HistoryHeader {
  /** Bytes of entry lines (after the header) when the file was last written whole. */
  readonly compacted: number;
}

/** One complete (newline-terminated) entry line of a sidecar, decoded on demand. */
export interface HistoryLine {
  /** 1-based line number in the file, for error locations. */
  readonly line: number;
  /** Where the line starts in the file's bytes. */
  readonly start: number;
  /** Where it ends (its newline, excluded). */
  readonly end: number;
}

/** What a sidecar holds: nothing, a v1 document, or v2 lines (oldest first). */
export type HistoryFile =
  | { readonly kind: 'missing' }
  | { readonly kind: 'v1'; readonly entries: readonly HistoryEntry[] }
  | {
      readonly kind: 'v2';
      readonly header: HistoryHeader;
      /** The file's bytes; lines are decoded from them only when reached. */
      readonly bytes: Buffer;
      /** Every complete entry line, oldest first; a torn last line is not among them. */
      readonly lines: readonly HistoryLine[];
    };

/** The header line of a v2 sidecar whose entry lines were `compacted` bytes when written whole. */
export function headerLine(compacted: number): string {
  return `${JSON.stringify({ format: HISTORY_FORMAT, compacted })}\n`;
}

/** The line of one entry: one JSON object (JSON escapes newlines in strings), then `\n`. */
export function entryLine(entry: HistoryEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/**
 * The header of a v2 sidecar from its first line, or undefined when the line is not
 * one (a v1 file, or not JSON: the caller then reads the file as v1). Throws
 * CorruptDataError for a header of another rollout-history format (a newer one).
 */
export function parseHeader(first: string, path: string): HistoryHeader | undefined {
  let value: unknown;
  try {
    value = JSON.parse(first);
  } catch {
    return undefined;
  }
  const doc = value as { format?: unknown; compacted?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || doc.format === HISTORY_FORMAT_V1) return undefined;
  if (doc.format !== HISTORY_FORMAT) {
    throw new CorruptDataError(
      STORE_NAME,
      `${path}:1`,
      `"format" is ${JSON.stringify(doc.format ?? null)}; this store reads "${HISTORY_FORMAT}" and "${HISTORY_FORMAT_V1}"`,
    );
  }
  const compacted = doc.compacted ?? 0;
  return { compacted: typeof compacted === 'number' && compacted >= 0 ? compacted : 0 };
}

/**
 * Reads and splits the sidecar at `path`. A v2 file's lines are not decoded here (see
 * {@link decodeLine}); only newline-terminated lines count, so the half-written last
 * line of a writer that died (or is still appending) is left out. A v1 file is
 * decoded whole. Throws CorruptDataError when the file is neither, StoreError when it
 * cannot be read.
 */
export async function readHistoryFile(path: string): Promise<HistoryFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (isMissing(error)) return { kind: 'missing' };
    throw fsError(`reading ${path} failed`, error);
  }
  if (bytes.length === 0) return { kind: 'missing' };
  const firstEnd = bytes.indexOf(10);
  const header = firstEnd < 0 ? undefined : parseHeader(bytes.toString('utf8', 0, firstEnd), path);
  if (!header) return { kind: 'v1', entries: parseV1(bytes.toString('utf8'), path) };
  const lines: HistoryLine[] = [];
  // Split on the buffer (memchr) and decode each line alone, when it is reached: the
  // file may be larger than the longest string V8 allows, and a page of history()
  // usually needs only its last lines.
  for (let start = firstEnd + 1, line = 2; ; line++) {
    const end = bytes.indexOf(10, start);
    if (end < 0) break;
    // A blank line (an editor's trailing newline) is not an entry.
    if (end > start) lines.push({ line, start, end });
    start = end + 1;
  }
  return { kind: 'v2', header, bytes, lines };
}

/** The entries of a v1 sidecar (`{ "format": "rollout-history/v1", "entries": [...] }`), oldest first. */
function parseV1(text: string, path: string): HistoryEntry[] {
  let entries: unknown[];
  try {
    const doc = JSON.parse(text) as { format?: unknown; entries?: unknown };
    if (doc?.format !== HISTORY_FORMAT_V1 || !Array.isArray(doc.entries)) {
      throw new Error(
        `expected a first line { "format": "${HISTORY_FORMAT}" } or a document { "format": "${HISTORY_FORMAT_V1}", "entries": [...] }`,
      );
    }
    entries = doc.entries;
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(STORE_NAME, path, problem, { cause: error });
  }
  return entries.map((raw, i) => decodeEntry(raw, `${path} entries[${i}]`, true));
}

/**
 * The entry of one v2 line (its `text`, without the newline). `full` also validates (and normalizes) its records with
 * core's `parseFeature`, as `history()` returns them; without it only the fields the
 * sidecar's own bookkeeping needs are checked (compaction copies the line as it is).
 * Throws CorruptDataError at `path:line` for a line that is not an entry.
 */
export function decodeLine(
  text: string,
  line: HistoryLine,
  path: string,
  full: boolean,
): HistoryEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const problem = `not a JSON line: ${error instanceof Error ? error.message : String(error)}`;
    throw new CorruptDataError(STORE_NAME, `${path}:${line.line}`, problem, { cause: error });
  }
  return decodeEntry(raw, `${path}:${line.line}`, full);
}

function decodeEntry(raw: unknown, location: string, full: boolean): HistoryEntry {
  try {
    const e = raw as HistoryEntry & { feature: unknown; previous: unknown };
    if (
      typeof e !== 'object' ||
      e === null ||
      !Number.isSafeInteger(e.revision) ||
      typeof e.name !== 'string' ||
      typeof e.at !== 'string'
    )
      throw new Error('not a history entry (needs revision, name and at)');
    if (!full) return e;
    return {
      ...e,
      feature: e.feature == null ? undefined : parseFeature(e.feature),
      previous: e.previous == null ? undefined : parseFeature(e.previous),
    };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(STORE_NAME, location, problem, { cause: error });
  }
}
