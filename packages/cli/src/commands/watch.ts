import type { FeatureChangeEvent } from '@rollout/core';
import type { Command } from '../command.js';
import { diffFeatures } from '../feature-diff.js';
import { featureSummary } from '../feature-view.js';

function kind(e: FeatureChangeEvent): 'created' | 'updated' | 'removed' {
  return e.feature === undefined ? 'removed' : e.previous === undefined ? 'created' : 'updated';
}

/** `rollout watch`: prints changes as they arrive, until Ctrl-C. */
export const watchCommand: Command = {
  name: 'watch',
  summary: 'Print feature changes as they arrive (Ctrl-C to stop)',
  usage: ['watch [NAME...] [--json]'],
  description:
    'Follows the store and prints every change made by any process, as it arrives (pushed by stores that can push: Redis pub/sub, PostgreSQL LISTEN/NOTIFY, file watching; polled otherwise). Give names to follow only those features. With --json, prints one JSON object per line: {"at","name","change","feature","previous"}. Runs until interrupted (Ctrl-C / SIGTERM), then exits with 0.',
  args: { min: 0, max: Number.POSITIVE_INFINITY },
  options: {},
  examples: ['watch', 'watch chat new_checkout', 'watch --json | jq -c "{name, change}"'],
  unbounded: true,
  async run(ctx, names) {
    const only = new Set(names);
    const client = await ctx.client();
    client.on('change', (event) => {
      if (only.size > 0 && !only.has(event.name)) return;
      const change = kind(event);
      const at = new Date().toISOString();
      if (ctx.out.json) {
        ctx.out.jsonLine({
          at,
          name: event.name,
          change,
          feature: event.feature ?? null,
          previous: event.previous ?? null,
        });
        return;
      }
      const time = ctx.out.style('dim', at.slice(11, 19));
      const style = change === 'created' ? 'green' : change === 'removed' ? 'red' : 'yellow';
      const label = ctx.out.style(style, change.padEnd(7));
      let detail = '';
      if (event.feature && change === 'created') detail = featureSummary(event.feature);
      if (event.feature && event.previous)
        detail = diffFeatures(event.previous, event.feature).join('; ');
      ctx.out.line(
        `${time}  ${label}  ${ctx.out.style('bold', event.name)}${detail ? `  ${detail}` : ''}`,
      );
    });
    client.on('stale', ({ error }) => ctx.out.warn(`lost the store (${error.message}); retrying`));
    client.on('fresh', () => ctx.out.note('store reachable again; resynced'));
    ctx.out.note(
      `watching ${client.snapshot().length} feature(s)${only.size > 0 ? ` (only ${[...only].join(', ')})` : ''}; Ctrl-C to stop`,
    );
    await ctx.interrupted();
    return undefined;
  },
};
