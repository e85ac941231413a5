import { VersionConflictError } from '@rollout/core';
import type { Command } from '../command.js';
import { EXPORT_FORMAT, parseExportDocument } from '../export-format.js';
import { readInput } from '../files.js';
import {
  ALL_CONTENT_FIELDS,
  applyFeature,
  planFeature,
  type SyncResult,
} from '../sync-features.js';
import { countResults, printResult, summaryLine } from './sync-report.js';

/** `rollout import FILE`: writes an export file's features into the store. */
export const importCommand: Command = {
  name: 'import',
  summary: `Load features from an export file (${EXPORT_FORMAT})`,
  usage: ['import FILE|- [--dry-run] [--prune]'],
  description: `Reads an export file (FILE, or stdin with -), validates all of it first (a bad file changes nothing), then writes each feature with one atomic compare-and-set write: created when new, updated when different, unchanged otherwise (not written). A feature changed concurrently by someone else is re-read and overwritten with the file's content, never half-applied. --prune also removes features the file does not list. --dry-run prints what would change, field by field, without writing. Timestamps in the file are informational; the target store stamps its own.`,
  unbounded: true,
  args: { min: 1, max: 1 },
  options: {
    'dry-run': { type: 'boolean', short: 'n', help: 'show the changes without writing' },
    prune: { type: 'boolean', help: 'remove features that the file does not list' },
  },
  examples: [
    'import flags.json --dry-run',
    'import flags.json --store postgres://db.internal/app',
    'import flags.json --prune',
    'export --store redis://old:6379 | rollout import - --store file:./flags.json',
  ],
  async run(ctx, [file = ''], options) {
    const dryRun = options['dry-run'] === true;
    const text = await readInput(ctx, file);
    const features = parseExportDocument(text, file === '-' ? 'stdin' : file);
    const client = await ctx.client();
    const results: SyncResult[] = [];
    for (const feature of features) {
      const result = dryRun
        ? await planFeature(client.store, feature, ALL_CONTENT_FIELDS)
        : await applyFeature(client.store, feature, ALL_CONTENT_FIELDS);
      results.push(result);
      if (!ctx.out.json) printResult(ctx, result, dryRun);
    }
    if (options.prune) {
      const listed = new Set(features.map((f) => f.name));
      for (const existing of await client.features()) {
        if (listed.has(existing.name)) continue;
        if (!dryRun) {
          try {
            // Compare-and-delete: a feature changed since it was read is left alone.
            await client.store.remove(existing.name, existing.version);
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
            ctx.out.warn(`${existing.name} changed while importing; not removed`);
            continue;
          }
        }
        const result: SyncResult = { name: existing.name, action: 'removed', changes: [] };
        results.push(result);
        if (!ctx.out.json) printResult(ctx, result, dryRun);
      }
    }
    const counts = countResults(results, 0);
    if (ctx.out.json) {
      ctx.out.printJson({ dryRun, ...counts, results });
    } else {
      ctx.out.line(summaryLine(counts, dryRun));
    }
    return undefined;
  },
};
