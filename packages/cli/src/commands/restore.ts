import type { Command } from '../command.js';
import { parseCount } from '../parse-values.js';
import { reportWrite } from './report.js';

/** `rollout restore NAME VERSION`: writes an old version back. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Write an old version of a feature back (from history)',
  usage: ['restore NAME VERSION [--note TEXT]'],
  description:
    'Writes the content of VERSION (see rollout history NAME) back as a new version, in one compare-and-set write recorded as a restore entry with --actor and --note. Brings a removed feature back. Exits with 2 when the history holds no such version.',
  args: { min: 2, max: 2 },
  options: {
    note: { type: 'string', value: 'TEXT', help: 'why, recorded in the history entry' },
  },
  examples: ['restore new_checkout 3 --note "back to 10 % after incident 4711"'],
  async run(ctx, [name = '', version = ''], options) {
    const v = parseCount(version, 'VERSION');
    const client = await ctx.client();
    const note = typeof options.note === 'string' ? options.note : undefined;
    const feature = await client.restore(name, v, note === undefined ? {} : { note });
    reportWrite(ctx, `restored ${name} to version ${v} (now version ${feature.version})`, feature);
    return undefined;
  },
};
