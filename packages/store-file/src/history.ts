import type { HistoryEntry, HistoryQuery } from '@rollout/core';
import { decodeLine, type HistoryFile, readHistoryFile } from './history-file.js';

/** Where the history of the flags file at `path` lives: `<path>.history.json`, beside it. */
export function historyPathFor(path: string): string {
  return `${path}.history.json`;
}

/*
 * The sidecar is JSON lines (history-file.ts): a header, then one entry per write,
 * appended under the same lock as the flags file, *before* the flags file is replaced.
 * A writer that dies between the two leaves an entry whose write never landed: its
 * revision is above the flags file's (so readers fence it out), and the next write
 * appends an entry with that same revision again. So the rules, read from the end:
 *
 * - only complete lines count (a torn last line is an append that never finished);
 * - an entry above the flags file's revision is invisible (its write has not landed,
 *   or never will);
 * - an entry whose revision is not below that of every later visible entry was
 *   superseded (a dead writer's entry, reused by the next write): invisible;
 * - per feature, only the newest `limit` entries are visible (retention; compaction
 *   drops the rest from the file now and then).
 *
 * No entry is seen without its write, and no acknowledged write is without its entry.
 */

/**
 * The visible entries of a sidecar, newest first, by the rules above. `full` decodes
 * every record with `parseFeature` (what `history()` returns). Lazy: a caller that
 * stops early never decodes (nor checks) older lines. Throws CorruptDataError at the
 * first line it reaches that is not an entry.
 */
export function* visibleEntries(
  file: HistoryFile,
  path: string,
  revision: number,
  limit: number,
  full: boolean,
): Generator<{ entry: HistoryEntry; text: string | undefined }> {
  if (file.kind === 'missing') return;
  let below = Number.POSITIVE_INFINITY;
  const counts = new Map<string, number>();
  const n = file.kind === 'v1' ? file.entries.length : file.lines.length;
  for (let i = n - 1; i >= 0; i--) {
    let entry: HistoryEntry;
    let text: string | undefined;
    if (file.kind === 'v1') {
      entry = file.entries[i] as HistoryEntry;
    } else {
      const line = file.lines[i] as (typeof file.lines)[number];
      text = file.bytes.toString('utf8', line.start, line.end);
      entry = decodeLine(text, line, path, full);
    }
    if (entry.revision > revision || entry.revision >= below) continue;
    below = entry.revision;
    const count = counts.get(entry.name) ?? 0;
    if (count >= limit) continue;
    counts.set(entry.name, count + 1);
    yield { entry, text };
  }
}

/**
 * One page of the sidecar at `historyPath` as of the flags file's `revision`: newest
 * first, `before` and `name` applied, at most `limit` entries per feature visible.
 */
export async function queryHistory(
  historyPath: string,
  revision: number,
  retention: number,
  query: HistoryQuery & { limit: number },
): Promise<HistoryEntry[]> {
  const file = await readHistoryFile(historyPath);
  const page: HistoryEntry[] = [];
  for (const { entry } of visibleEntries(file, historyPath, revision, retention, true)) {
    if (query.before !== undefined && entry.revision >= query.before) continue;
    if (query.name !== undefined && entry.name !== query.name) continue;
    page.push(entry);
    if (page.length >= query.limit) break;
  }
  return page;
}
