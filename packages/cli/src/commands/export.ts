import type { Command } from '../command.js';
import { EXPORT_FORMAT, toExportDocument } from '../export-format.js';
import { writeAtomic } from '../files.js';

/** `rollout export`: every feature as a versioned JSON document. */
export const exportCommand: Command = {
  name: 'export',
  summary: `Write every feature as JSON (${EXPORT_FORMAT})`,
  usage: ['export [--output FILE]'],
  description: `Writes every feature to stdout (or FILE, replaced atomically) as { "format": "${EXPORT_FORMAT}", "features": [...] }: features sorted by name, fields in a fixed order (name, description, groups, users, excludedUsers, percentage, rules, data, hashVersion, createdAt, updatedAt), so an export committed to git diffs cleanly. rollout import reads it back into any store.`,
  unbounded: true,
  args: { min: 0, max: 0 },
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE instead of stdout' },
  },
  examples: [
    'export > flags.json',
    'export --output flags.json --store redis://prod-redis:6379',
    'export --store redis://old:6379 | rollout import - --store postgres://db/app',
  ],
  async run(ctx, _args, options) {
    const client = await ctx.client();
    const doc = toExportDocument(await client.features());
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (typeof options.output === 'string') {
      const target = options.output;
      await writeAtomic(target, text);
      ctx.out.note(`exported ${doc.features.length} feature(s) to ${target}`);
    } else {
      ctx.out.line(text.trimEnd());
    }
    return undefined;
  },
};
