import { notFoundError } from '../cli-error.js';
import type { Command } from '../command.js';

/** `rollout remove NAME`: deletes a feature. */
export const removeCommand: Command = {
  name: 'remove',
  summary: 'Delete a feature',
  usage: ['remove NAME'],
  description:
    'Deletes a feature; every app evaluates it as off from then on (unknown features are off). Exits with 3 when it does not exist.',
  args: { min: 1, max: 1 },
  options: {},
  examples: ['remove old_experiment'],
  async run(ctx, [name = '']) {
    const client = await ctx.client();
    const removed = await client.removeFeature(name);
    if (!removed) throw notFoundError(name);
    if (ctx.out.json) ctx.out.printJson({ name, removed: true });
    else ctx.out.line(`${ctx.out.style('green', '✓')} removed ${name}`);
    return undefined;
  },
};
