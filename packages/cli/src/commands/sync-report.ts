import type { CommandContext } from '../command.js';
import type { SyncResult } from '../sync-features.js';

/** Counts of a sync (import, import-gem). */
export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: number;
}

/** Tallies results by action. */
export function countResults(results: readonly SyncResult[], failed: number): SyncCounts {
  const counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, removed: 0, failed };
  for (const r of results) counts[r.action]++;
  return counts;
}

/** Prints one result line: `+ created  chat  percentage 0 % → 20 %`. */
export function printResult(ctx: CommandContext, r: SyncResult, dryRun: boolean): void {
  const { out } = ctx;
  const verbs = dryRun
    ? {
        created: 'would create',
        updated: 'would update',
        unchanged: 'unchanged',
        removed: 'would remove',
      }
    : { created: 'created', updated: 'updated', unchanged: 'unchanged', removed: 'removed' };
  const marks = { created: '+', updated: '~', unchanged: '=', removed: '-' } as const;
  const styles = { created: 'green', updated: 'yellow', unchanged: 'dim', removed: 'red' } as const;
  const head = out.style(
    styles[r.action],
    `${marks[r.action]} ${verbs[r.action].padEnd(dryRun ? 12 : 9)}`,
  );
  out.line(`${head}  ${out.style('bold', r.name)}`);
  for (const change of r.changes) out.line(`      ${change}`);
}

/** The closing summary line. */
export function summaryLine(counts: SyncCounts, dryRun: boolean): string {
  const parts = [
    `${counts.created} created`,
    `${counts.updated} updated`,
    `${counts.unchanged} unchanged`,
  ];
  if (counts.removed > 0) parts.push(`${counts.removed} removed`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  return `${dryRun ? 'dry run, nothing written: ' : ''}${parts.join(', ')}`;
}
