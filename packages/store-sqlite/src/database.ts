import Database from 'better-sqlite3';
import type { FeatureRow } from './codec.js';
import { type Layout, layout } from './layout.js';
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
 * revision bump and the change-log entry are atomic across every process on the
 * file. Everything here is synchronous (better-sqlite3); errors are the driver's.
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
      this.db.transaction(() => this.db.exec(this.layout.schema)).immediate();
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
    return `${this.options.path} table ${this.layout.features}`;
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

  /** Compare-and-set: writes `document` only if `name` is at version `expected` (0: absent). */
  put(name: string, document: string, expected: number): WriteOutcome {
    return this.db
      .transaction((): WriteOutcome => {
        const stored = this.storedVersion(name);
        if (stored !== expected) return { ok: false, stored };
        if (expected === 0) this.sql.insert.run(name, document);
        else this.sql.update.run(document, name, expected);
        return { ok: true, version: expected + 1, revision: this.logChange(name, expected + 1) };
      })
      .immediate();
  }

  /** Compare-and-delete: removes `name` if it is at `expected` (any version when undefined). */
  remove(name: string, expected: number | undefined): WriteOutcome {
    return this.db
      .transaction((): WriteOutcome => {
        const stored = this.storedVersion(name);
        if (stored === 0 || (expected !== undefined && stored !== expected)) {
          return { ok: false, stored };
        }
        this.sql.remove.run(name);
        return { ok: true, version: 0, revision: this.logChange(name, null) };
      })
      .immediate();
  }

  /** Closes the file (the WAL is checkpointed when the last connection closes). */
  close(): void {
    this.db.close();
  }

  private storedVersion(name: string): number {
    return Number((this.sql.version.get(name) as { version: number } | undefined)?.version ?? 0);
  }

  // Inside the write's transaction: bump the revision, log the change, prune the log.
  private logChange(name: string, version: number | null): number {
    const { revision } = this.sql.bump.get() as { revision: number };
    this.sql.log.run(revision, name, version, new Date().toISOString());
    this.sql.prune.run(revision - this.options.changeLogSize);
    return revision;
  }
}
