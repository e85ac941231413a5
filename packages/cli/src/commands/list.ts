import type { Command } from '../command.js';
import { featureStatus, featureSummary, formatPercentage, statusStyle } from '../feature-view.js';

/** `rollout list`: every feature, as a table or JSON. */
export const listCommand: Command = {
  name: 'list',
  summary: 'List every feature with its state',
  usage: ['list [--json]'],
  description:
    'Shows every feature in the store: its state (on, off, partial, killed), percentage, how many users are listed, its groups and description. With --json, prints the full feature records as a JSON array.',
  args: { min: 0, max: 0 },
  options: {},
  examples: ['list', 'list --json | jq -r ".[].name"', 'list --store redis://localhost:6379'],
  async run(ctx) {
    const client = await ctx.client();
    const features = await client.features();
    if (ctx.out.json) {
      ctx.out.printJson(features);
      return undefined;
    }
    if (features.length === 0) {
      ctx.out.note('no features yet (rollout add NAME creates one)');
      return undefined;
    }
    ctx.out.table(features, [
      { header: 'NAME', value: (f) => f.name },
      {
        header: 'STATE',
        value: (f) => featureStatus(f),
        style: (f) => statusStyle(featureStatus(f)),
      },
      { header: 'PERCENT', value: (f) => formatPercentage(f.percentage), align: 'right' },
      { header: 'USERS', value: (f) => String(f.users.length), align: 'right' },
      { header: 'GROUPS', value: (f) => f.groups.join(',') || '-' },
      { header: 'DESCRIPTION', value: (f) => f.description || featureSummary(f) },
    ]);
    return undefined;
  },
};
