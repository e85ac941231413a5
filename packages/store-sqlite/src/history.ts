import type { HistoryAction, HistoryEntry, WriteContext } from '@rollout/core';
import { writeAction } from '@rollout/core/store';
import { decodeRow } from './codec.js';

/*
 * Change history: the `<table>_history` table (migration 2 in migrations.ts). Each
 * write's transaction inserts the write's row and trims the feature to its last
 * `historyLimit` rows (database.ts), so an entry commits with its write or not at all.
 */

/** What a write records besides the documents: its action and the checked context. */
export interface HistoryRecord {
  readonly action: HistoryAction;
  readonly actor?: string;
  readonly note?: string;
}

/** The record of a write with a checked context (kit `writeAction` picks the action). */
export function historyRecord(
  context: WriteContext,
  write: { remove: true } | { expectedVersion: number },
): HistoryRecord {
  return { ...context, action: writeAction(context, write) };
}

/** A row of the history table. */
export interface HistoryRow {
  readonly revision: number;
  readonly name: string;
  readonly version: number;
  readonly at: string;
  readonly action: HistoryAction;
  readonly actor: string | null;
  readonly note: string | null;
  readonly feature: string | null;
  readonly previous: string | null;
}

/**
 * An entry from its row (`where` names the row in errors): `feature` is the document
 * at `version`, `previous` at `version - 1`; a document that does not validate is a
 * CorruptDataError naming the file, the table and the revision.
 */
export function decodeHistoryRow(where: string, row: HistoryRow): HistoryEntry {
  const { name, version } = row;
  return {
    revision: Number(row.revision),
    name,
    version: Number(version),
    at: row.at,
    action: row.action,
    ...(row.actor === null ? {} : { actor: row.actor }),
    ...(row.note === null ? {} : { note: row.note }),
    feature:
      row.feature === null ? undefined : decodeRow(where, { name, document: row.feature, version }),
    previous:
      row.previous === null
        ? undefined
        : decodeRow(where, { name, document: row.previous, version: Number(version) - 1 }),
  };
}
