import { readFile } from 'node:fs/promises';
import {
  CorruptDataError,
  type HistoryEntry,
  type HistoryQuery,
  parseFeature,
} from '@rollout/core';
import { appendToLog, historyEntry, queryLog, type WriteRecord } from '@rollout/core/store';
import { writeFileAtomic } from './atomic-write.js';
import { fsError, isMissing, STORE_NAME } from './errors.js';

/** The value of the history file's `format` field. */
export const HISTORY_FORMAT = 'rollout-history/v1';

/** Where the history of the flags file at `path` lives: `<path>.history.json`, beside it. */
export function historyPathFor(path: string): string {
  return `${path}.history.json`;
}

/*
 * The history is a sidecar, `{ "format": "rollout-history/v1", "entries": [...] }`
 * (oldest first), so the flags file stays small and hand-editable. Both files are
 * written under the same lock, the sidecar first: a write whose flags file never
 * landed leaves an entry with a revision the flags file does not have yet. Readers
 * therefore fence the sidecar by the flags file's revision (entries above it are
 * invisible), and the next write drops them before appending its own. So no entry is
 * seen without its write, and no acknowledged write is without its entry.
 */

/** The visible entries of the sidecar at `historyPath`: those at or below `revision`. */
export async function readHistory(historyPath: string, revision: number): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(historyPath, 'utf8');
  } catch (error) {
    if (isMissing(error)) return [];
    throw fsError(`reading ${historyPath} failed`, error);
  }
  let entries: unknown;
  try {
    const doc = JSON.parse(text) as { format?: unknown; entries?: unknown };
    if (doc?.format !== HISTORY_FORMAT || !Array.isArray(doc.entries)) {
      throw new Error(`expected { "format": "${HISTORY_FORMAT}", "entries": [...] }`);
    }
    entries = doc.entries;
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(STORE_NAME, historyPath, problem, { cause: error });
  }
  return (entries as unknown[])
    .map((raw, i) => decodeEntry(raw, `${historyPath} entries[${i}]`))
    .filter((e) => e.revision <= revision);
}

/**
 * Appends the entry of one write at `revision` (the flags file's next) to the sidecar,
 * trims its feature to `limit` entries and replaces the sidecar atomically. Call under
 * the file lock, before the flags file is written.
 */
export async function appendHistory(
  historyPath: string,
  previousRevision: number,
  write: Omit<WriteRecord, 'revision' | 'at'>,
  limit: number,
  mode: number | undefined,
): Promise<void> {
  const log = await readHistory(historyPath, previousRevision);
  const revision = previousRevision + 1;
  appendToLog(log, historyEntry({ ...write, revision, at: new Date().toISOString() }), limit);
  const text = `{\n  "format": ${JSON.stringify(HISTORY_FORMAT)},\n  "entries": [\n${log
    .map((e) => `    ${JSON.stringify(e)}`)
    .join(',\n')}\n  ]\n}\n`;
  try {
    await writeFileAtomic(historyPath, text, mode);
  } catch (error) {
    throw fsError(`writing ${historyPath} failed; nothing was written`, error);
  }
}

/** One page of the sidecar's visible entries. */
export async function queryHistory(
  historyPath: string,
  revision: number,
  query: HistoryQuery & { limit: number },
): Promise<HistoryEntry[]> {
  return queryLog(await readHistory(historyPath, revision), query);
}

function decodeEntry(raw: unknown, location: string): HistoryEntry {
  try {
    const e = raw as HistoryEntry & { feature: unknown; previous: unknown };
    if (typeof e?.revision !== 'number' || typeof e.name !== 'string' || typeof e.at !== 'string')
      throw new Error('not a history entry');
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
