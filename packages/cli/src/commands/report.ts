import type { Feature } from '@rollout/core';
import type { CommandContext } from '../command.js';
import { featureSummary } from '../feature-view.js';

/** Prints the outcome of a write: the stored record with --json, else a ✓ line and a summary. */
export function reportWrite(ctx: CommandContext, message: string, feature: Feature): void {
  if (ctx.out.json) {
    ctx.out.printJson(feature);
    return;
  }
  ctx.out.line(`${ctx.out.style('green', '✓')} ${message}`);
  ctx.out.line(
    ctx.out.style(
      'dim',
      `  ${feature.name}: ${featureSummary(feature)} (version ${feature.version})`,
    ),
  );
}
