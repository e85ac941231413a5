import { notFoundError } from '../cli-error.js';
import type { Command } from '../command.js';
import { printFeature } from '../feature-view.js';

/** `rollout show NAME`: one feature in full. */
export const showCommand: Command = {
  name: 'show',
  summary: 'Show one feature in full',
  usage: ['show NAME [--json]'],
  description:
    'Prints every field of a feature: groups, users, excluded users, percentage, rules, data, hash version, version and timestamps. Long user lists are cut on screen; --json prints the complete record. Exits with 3 when the feature does not exist.',
  args: { min: 1, max: 1 },
  options: {},
  examples: ['show new_checkout', 'show new_checkout --json'],
  async run(ctx, [name = '']) {
    const client = await ctx.client();
    const feature = await client.getFeature(name);
    if (!feature) throw notFoundError(name);
    if (ctx.out.json) ctx.out.printJson(feature);
    else printFeature(ctx.out, feature);
    return undefined;
  },
};
