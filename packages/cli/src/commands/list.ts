import type { Feature } from '@rollout/core';
import type { Command } from '../command.js';
import {
  featureStatus,
  featureSummary,
  formatPercentage,
  formatVariants,
  statusStyle,
} from '../feature-view.js';

/** `rollout list`: every feature, as a table or JSON. */
export const listCommand: Command = {
  name: 'list',
  summary: 'List every feature with its state',
  usage: ['list [--json]'],
  description:
    'Shows every feature in the store: its state (on, off, partial, killed), percentage, how many users are listed, its groups, its variants with their weights (a VARIANTS column, when any feature has variants), and its description. With --json, prints the full feature records as a JSON array.',
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
    // The VARIANTS column only where some feature has variants: plain stores list as before.
    const variants = features.some((f) => f.variants)
      ? [{ header: 'VARIANTS', value: (f: Feature) => formatVariants(f) }]
      : [];
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
      ...variants,
      { header: 'DESCRIPTION', value: (f) => f.description || featureSummary(f) },
    ]);
    return undefined;
  },
};
