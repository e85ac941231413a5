import type { HistoryEntry } from '@rollout/core';
import type { Command } from '../command.js';
import { diffFeatures } from '../feature-diff.js';
import { parseCount } from '../parse-values.js';

/** What one entry changed, in a few words: `created`, `removed`, or the field diff. */
export function describeChange(entry: HistoryEntry): string {
  if (!entry.feature) return 'removed';
  const diff = diffFeatures(entry.previous, entry.feature);
  const what = diff.length === 0 ? 'no change' : diff.join('; ');
  if (entry.action === 'restore') return `restored: ${what}`;
  return entry.previous ? what : `created${diff.length ? `: ${what}` : ''}`;
}

/** `rollout history [NAME]`: who changed what, newest first. */
export const historyCommand: Command = {
  name: 'history',
  summary: "Show the change history (one feature's, or every feature's)",
  usage: ['history [NAME] [--limit N] [--before REVISION] [--json]'],
  description:
    "Lists the store's history entries, newest first: when, who (--actor of the writer), the version, and what changed as a short diff. With --json, prints the entries (with the records before and after). Stores without history (memcache) exit with an error naming the store.",
  args: { min: 0, max: 1 },
  options: {
    limit: { type: 'string', value: 'N', help: 'at most N entries (default 20, at most 1000)' },
    before: {
      type: 'string',
      value: 'REVISION',
      help: 'only entries older than REVISION (the next page: the last REVISION shown)',
    },
  },
  examples: ['history new_checkout', 'history --limit 50', 'history new_checkout --json'],
  async run(ctx, [name], options) {
    const limit = typeof options.limit === 'string' ? parseCount(options.limit, '--limit') : 20;
    const before =
      typeof options.before === 'string' ? parseCount(options.before, '--before') : undefined;
    const client = await ctx.client();
    const entries = await client.history(name, { limit, ...(before ? { before } : {}) });
    if (ctx.out.json) {
      ctx.out.printJson(entries);
      return undefined;
    }
    if (entries.length === 0) {
      ctx.out.note(name ? `no history for ${name}` : 'no history yet');
      return undefined;
    }
    ctx.out.table(entries, [
      { header: 'REVISION', value: (e) => String(e.revision), align: 'right' },
      { header: 'WHEN', value: (e) => e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
      { header: 'WHO', value: (e) => e.actor ?? '-' },
      ...(name ? [] : [{ header: 'FEATURE', value: (e: HistoryEntry) => e.name }]),
      { header: 'VERSION', value: (e) => String(e.version), align: 'right' },
      { header: 'ACTION', value: (e) => e.action },
      {
        header: 'CHANGE',
        value: (e) => (e.note ? `${describeChange(e)} (${e.note})` : describeChange(e)),
      },
    ]);
    return undefined;
  },
};
