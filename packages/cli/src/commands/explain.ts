import type { Explanation, Feature } from '@rollout/core';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { formatPercentage, formatRule } from '../feature-view.js';
import { parseUser } from '../parse-values.js';

function why(e: Explanation, feature: Feature | undefined): string {
  const bucket =
    e.bucket === undefined
      ? ''
      : `bucket ${formatPercentage(e.bucket)} ${e.reason === 'PERCENTAGE' ? 'is' : 'is not'} under ${formatPercentage(e.percentage ?? 0)}`;
  switch (e.reason) {
    case 'FEATURE_NOT_FOUND':
      return 'the feature does not exist (unknown features are off)';
    case 'KILL_SWITCH':
      return 'the feature is killed (group NONE)';
    case 'USER_EXCLUDED':
      return "the user is on the feature's deny list";
    case 'ALL':
      return 'group ALL: on for everyone';
    case 'USER_LISTED':
      return "the user's id is on the feature's user list";
    case 'GROUP':
      return `the user is in group ${e.group ?? '?'}`;
    case 'RULE': {
      const rule = feature?.rules[e.rule ?? -1];
      return `rule ${(e.rule ?? 0) + 1} matched${rule ? `: ${formatRule(rule)}` : ''}`;
    }
    case 'PERCENTAGE':
      return bucket;
    case 'DEFAULT':
      if (bucket) return `nothing opened it; ${bucket}`;
      if (e.userId === undefined && (feature?.percentage ?? 0) > 0) {
        return 'nothing opened it; the user has no id, and users without an id are never in a percentage';
      }
      return 'nothing opened it';
    default:
      return e.reason;
  }
}

/** `rollout explain NAME USER`: whether a user gets a feature, and why. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'Say whether a user gets a feature, and which rule decided',
  usage: ['explain NAME USER'],
  description:
    'Evaluates a feature for one user, exactly as apps do, and names the step of the evaluation order that decided (kill switch, deny list, ALL, user list, group, rule, percentage, default), and for a feature with variants the variant the user gets, its value and why (pinned, given by the rule that matched, or the variant bucket). USER is an id (42, alice) or a JSON user with attributes (\'{"id":42,"groups":["vip"],"country":"NZ"}\'). Groups defined in application code (defineGroup) are unknown to the CLI: list the user\'s groups in the JSON instead. Exits with 3 when the feature does not exist.',
  args: { min: 2, max: 2 },
  options: {},
  examples: [
    'explain new_checkout 42',
    'explain chat \'{"id":"alice","groups":["vip"]}\'',
    'explain nz_only \'{"id":7,"country":"NZ"}\' --json',
  ],
  async run(ctx, [name = '', userText = '']) {
    const user = parseUser(userText);
    const client = await ctx.client();
    const explanation = client.explain(user, name);
    const feature = client.snapshot().find((f) => f.name === name);
    const { value } = client.variant(user, name);
    if (ctx.out.json) {
      ctx.out.printJson(value === undefined ? explanation : { ...explanation, value });
    } else {
      const id = user.id;
      const who =
        typeof id === 'string' || typeof id === 'number' ? `user ${id}` : 'a user without id';
      const answer = explanation.enabled
        ? ctx.out.style('green', 'ON')
        : ctx.out.style(explanation.reason === 'FEATURE_NOT_FOUND' ? 'red' : 'dim', 'OFF');
      ctx.out.line(`${ctx.out.style('bold', name)} for ${who}: ${answer}`);
      ctx.out.line(
        `  ${ctx.out.style('dim', 'reason'.padEnd(12))}${explanation.reason}: ${why(explanation, feature)}`,
      );
      ctx.out.line(
        `  ${ctx.out.style('dim', 'openfeature'.padEnd(12))}${explanation.openFeatureReason}`,
      );
      if (explanation.variant !== undefined) {
        const how =
          explanation.variantBucket !== undefined
            ? `variant bucket ${formatPercentage(explanation.variantBucket)}`
            : explanation.userId === undefined
              ? 'the first variant with weight (the user has no id)'
              : feature?.userVariants?.some((p) => p.user === String(explanation.userId))
                ? 'the user is pinned to it'
                : 'the rule that matched gives it';
        ctx.out.line(
          `  ${ctx.out.style('dim', 'variant'.padEnd(12))}${explanation.variant} = ${JSON.stringify(value)} (${how})`,
        );
      } else if (!explanation.enabled && feature && 'offValue' in feature) {
        ctx.out.line(
          `  ${ctx.out.style('dim', 'value'.padEnd(12))}${JSON.stringify(feature.offValue)} (the off value)`,
        );
      }
      if (explanation.stale)
        ctx.out.warn('the store was unreachable; this answer comes from an old snapshot');
    }
    return explanation.reason === 'FEATURE_NOT_FOUND' ? EXIT.NOT_FOUND : undefined;
  },
};
