import type { Feature } from '../model.js';
import type { HistoryAction, HistoryEntry, HistoryQuery, WriteContext } from '../store.js';
import { copyFeature } from './copy.js';

/** How many entries per feature a history store keeps unless configured otherwise. */
export const DEFAULT_HISTORY_LIMIT = 1000;

/**
 * The action a write records: the context's own when given, else `remove` for a
 * remove, `add` for a put that creates (expectedVersion 0), `update` otherwise.
 */
export function writeAction(
  context: WriteContext | undefined,
  write: { remove: true } | { expectedVersion: number },
): HistoryAction {
  if (context?.action) return context.action;
  if ('remove' in write) return 'remove';
  return write.expectedVersion === 0 ? 'add' : 'update';
}

/** What a store knows of one write, to build its entry with {@link historyEntry}. */
export interface WriteRecord {
  readonly revision: number;
  readonly name: string;
  /** The stored record after the write; undefined for a remove. */
  readonly feature: Feature | undefined;
  /** The stored record before the write; undefined when the feature did not exist. */
  readonly previous: Feature | undefined;
  readonly at: string;
  readonly context: WriteContext | undefined;
}

/**
 * The history entry of one write: version from the record after it (for a remove,
 * the removed version + 1), action from {@link writeAction}, actor and note only when
 * given, copies of both records.
 */
export function historyEntry(write: WriteRecord): HistoryEntry {
  const { feature, previous, context } = write;
  const version = feature ? feature.version : (previous?.version ?? 0) + 1;
  const action = writeAction(
    context,
    feature ? { expectedVersion: previous?.version ?? 0 } : { remove: true },
  );
  return {
    revision: write.revision,
    name: write.name,
    version,
    at: write.at,
    action,
    ...(context?.actor === undefined ? {} : { actor: context.actor }),
    ...(context?.note === undefined ? {} : { note: context.note }),
    feature: feature && copyFeature(feature),
    previous: previous && copyFeature(previous),
  };
}

/**
 * Appends `entry` to `log` (oldest first, in place) and drops the oldest entries of
 * the same feature beyond `limit`: the retention step of stores that keep their
 * history as one list (memory, file).
 */
export function appendToLog(log: HistoryEntry[], entry: HistoryEntry, limit: number): void {
  log.push(entry);
  let excess = -limit;
  for (const e of log) if (e.name === entry.name) excess++;
  if (excess <= 0) return;
  for (let i = 0; i < log.length && excess > 0; ) {
    if (log[i]?.name === entry.name) {
      log.splice(i, 1);
      excess--;
    } else {
      i++;
    }
  }
}

/** One page of `log` (oldest first) for a checked query: newest first, as copies. */
export function queryLog(
  log: readonly HistoryEntry[],
  query: HistoryQuery & { limit: number },
): HistoryEntry[] {
  const page: HistoryEntry[] = [];
  for (let i = log.length - 1; i >= 0 && page.length < query.limit; i--) {
    const e = log[i] as HistoryEntry;
    if (query.before !== undefined && e.revision >= query.before) continue;
    if (query.name !== undefined && e.name !== query.name) continue;
    page.push(copyEntry(e));
  }
  return page;
}

/** A deep copy of an entry, so callers may keep or change what they got. */
export function copyEntry(entry: HistoryEntry): HistoryEntry {
  return {
    ...entry,
    feature: entry.feature && copyFeature(entry.feature),
    previous: entry.previous && copyFeature(entry.previous),
  };
}
