import { redactStoreUrl } from '@rollout/core';
import type { Command } from '../command.js';
import { parseExportDocument } from '../export-format.js';
import { readInput, writeAtomic } from '../files.js';
import { flagDeclaration } from '../flag-typegen.js';

/** `rollout typegen`: a TypeScript declaration of the store's (or an export's) flags. */
export const typegenCommand: Command = {
  name: 'typegen',
  summary: 'Write a TypeScript declaration of the flags (typed flag names)',
  usage: ['typegen [--from FILE] [--output FILE]'],
  description:
    "Writes a declaration (to stdout, or FILE replaced atomically) that augments @rollout/core's RolloutFlags with every feature of the store (or of an export file, --from FILE or - for stdin): its name, its variant names and the JSON types of its values. Include it in your tsconfig and rollout.can/explain/variant/value/allFlags accept only those names; a misspelt flag is a compile error. Run it again when flags are added or their variants change.",
  args: { min: 0, max: 0 },
  options: {
    from: { type: 'string', value: 'FILE', help: 'read an export file instead of the store' },
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE instead of stdout' },
  },
  examples: [
    'typegen --store redis://prod-redis:6379 -o src/flags.d.ts',
    'typegen --from flags.json -o src/flags.d.ts',
  ],
  async run(ctx, _args, options) {
    const from = typeof options.from === 'string' ? options.from : undefined;
    const features =
      from === undefined
        ? await (await ctx.client()).features()
        : parseExportDocument(await readInput(ctx, from), from === '-' ? 'stdin' : from);
    const store = ctx.globals.store;
    const source = from ?? (store === undefined ? 'the store' : redactStoreUrl(store));
    const text = flagDeclaration(features, source);
    if (typeof options.output === 'string') {
      await writeAtomic(options.output, text);
      ctx.out.note(`declared ${features.length} flag(s) in ${options.output}`);
    } else {
      ctx.out.line(text.trimEnd());
    }
    return undefined;
  },
};
