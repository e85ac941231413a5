import Database from 'better-sqlite3';
import type { FeatureRow } from './codec.js';
import type { HistoryRecord, HistoryRow } from './history.js';
import { type Layout, layout } from './layout.js';
import { migrate } from './migrations.js';
import type { ResolvedOptions } from './options.js';

/** What a compare-and-set transaction found: the new version, or the version that was there instead. */
export type WriteOutcome =
  | { readonly ok: true; readonly version: number; readonly revision: number }
  | { readonly ok: false; readonly stored: number };

type Statement = Database.Statement<unknown[], unknown>;

/**
 * One open database file and the store's prepared statements on it. The file is
 * in WAL mode (readers never block the writer, and other processes can read
 * while one writes); every write is one `BEGIN IMMEDIATE` transaction that takes
 * the file's write lock before it reads the version, so the check, the write, the
 * revision bump, the change-log entry and the history entry (with its trim) are
 * atomic across every process on the file: a refused or failed write records
 * nothing. Everything here is synchronous (better-sqlite3); errors are the driver's.
 */
export class SqliteDatabase {
  private readonly db: Database.Database;
  private readonly layout: Layout;
  private readonly sql: Record<keyof Layout['statements'], Statement>;

  constructor(private readonly options: ResolvedOptions) {
    // `timeout` is SQLite's busy timeout: how long a statement waits for another connection's lock.
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs });
    try {
      this.db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits.
      this.db.pragma('synchronous = NORMAL');
      this.layout = layout(options.table);
      migrate(this.db, this.layout.names);
      const statements = this.layout.statements;
      this.sql = Object.fromEntries(
        Object.entries(statements).map(([key, text]) => [key, this.db.prepare(text)]),
      ) as Record<keyof Layout['statements'], Statement>;
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /** Where errors say the data is: `<file> table "<table>"`. */
  get where(): string {
    return `${this.options.path} table ${this.layout.names.features}`;
  }

  /** Where history errors say the entry is: `<file> table "<table>_history" revision <n>`. */
  historyWhere(revision: number): string {
    return `${this.options.path} table ${this.layout.names.history} revision ${revision}`;
  }

  /** The revision row. */
  revision(): number {
    return Number((this.sql.revision.get() as { revision: number } | undefined)?.revision ?? 0);
  }

  /** Every row and the revision, read in one transaction: one WAL snapshot. */
  snapshot(): { revision: number; rows: FeatureRow[] } {
    return this.db.transaction(() => ({
      revision: this.revision(),
      rows: this.sql.all.all() as FeatureRow[],
    }))();
  }

  /** One row, or undefined. */
  get(name: string): FeatureRow | undefined {
    const row = this.sql.get.get(name) as Omit<FeatureRow, 'name'> | undefined;
    return row && { name, ...row };
  }

  /**
   * Compare-and-set: writes `document` only if `name` is at version `expected` (0:
   * absent), and records `entry` with the documents before and after.
   */
  put(name: string, document: string, expected: number, entry: HistoryRecord): WriteOutcome {
    return this.db
      .transaction((): WriteOutcome => {
        const stored = this.storedRow(name);
        const storedVersion = Number(stored?.version ?? 0);
        if (storedVersion !== expected) return { ok: false, stored: storedVersion };
        if (expected === 0) this.sql.insert.run(name, document);
        else this.sql.update.run(document, name, expected);
        const version = expected + 1;
        const revision = this.logChange(name, version, version, entry, {
          feature: document,
          previous: stored?.document ?? null,
        });
        return { ok: true, version, revision };
      })
      .immediate();
  }

  /**
   * Compare-and-delete: removes `name` if it is at `expected` (any version when
   * undefined), and records `entry` with the removed document.
   */
  remove(name: string, expected: number | undefined, entry: HistoryRecord): WriteOutcome {
    return this.db
      .transaction((): WriteOutcome => {
        const stored = this.storedRow(name);
        const storedVersion = Number(stored?.version ?? 0);
        if (!stored || (expected !== undefined && storedVersion !== expected)) {
          return { ok: false, stored: storedVersion };
        }
        this.sql.remove.run(name);
        // A remove's entry is at the removed version + 1 (the contract's HistoryEntry.version).
        const revision = this.logChange(name, null, storedVersion + 1, entry, {
          feature: null,
          previous: stored.document,
        });
        return { ok: true, version: 0, revision };
      })
      .immediate();
  }

  /** One page of history rows, newest first: one feature's (`name`) or every feature's. */
  history(name: string | undefined, before: number | undefined, limit: number): HistoryRow[] {
    // Revisions are positive safe integers, so "no bound" is the largest one.
    const bound = before ?? Number.MAX_SAFE_INTEGER;
    const rows =
      name === undefined
        ? this.sql.historyAll.all(bound, limit)
        : this.sql.historyOf.all(name, bound, limit);
    return rows as HistoryRow[];
  }

  /** Closes the file (the WAL is checkpointed when the last connection closes). */
  close(): void {
    this.db.close();
  }

  private storedRow(name: string): { document: string; version: number } | undefined {
    return this.sql.get.get(name) as { document: string; version: number } | undefined;
  }

  // Inside the write's transaction: bump the revision, log the change and prune the
  // log, record the history entry and trim the feature's history to historyLimit.
  private logChange(
    name: string,
    changeVersion: number | null,
    entryVersion: number,
    entry: HistoryRecord,
    documents: { feature: string | null; previous: string | null },
  ): number {
    const { revision } = this.sql.bump.get() as { revision: number };
    const at = new Date().toISOString();
    this.sql.log.run(revision, name, changeVersion, at);
    this.sql.prune.run(revision - this.options.changeLogSize);
    this.sql.record.run(
      revision,
      name,
      entryVersion,
      at,
      entry.action,
      entry.actor ?? null,
      entry.note ?? null,
      documents.feature,
      documents.previous,
    );
    this.sql.trim.run({ name, keep: this.options.historyLimit });
    return revision;
  }
}
