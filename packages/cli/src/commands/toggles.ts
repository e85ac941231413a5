import type { Feature, Rollout } from '@rollout/core';
import { notFoundError } from '../cli-error.js';
import type { Command, OptionSpec, OptionValues } from '../command.js';
import { parsePercentage } from '../parse-values.js';
import { reportWrite } from './report.js';

interface ToggleSpec {
  name: string;
  summary: string;
  usage: string;
  description: string;
  /** Values after NAME: none, one, or one or more. */
  values: 'none' | 'one' | 'many';
  /** Removal-type commands refuse a feature that does not exist instead of creating it. */
  mustExist: boolean;
  examples: string[];
  /** Checks the values before the store is touched (a bad percentage is a usage error). */
  check?(values: string[]): void;
  /** Options of this command beyond the global ones. */
  options?: Readonly<Record<string, OptionSpec>>;
  apply(
    client: Rollout,
    name: string,
    value: string | undefined,
    options: OptionValues,
  ): Promise<Feature>;
  message(name: string, values: string[], options: OptionValues): string;
}

const CREATES =
  ' Creates the feature when it does not exist, as the rollout gem does. Each change is one atomic compare-and-set write.';
const REFUSES =
  ' Exits with 3 when the feature does not exist. Each change is one atomic compare-and-set write.';

function toggle(spec: ToggleSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: [spec.usage],
    description: spec.description + (spec.mustExist ? REFUSES : CREATES),
    args: {
      min: spec.values === 'none' ? 1 : 2,
      max: spec.values === 'many' ? Number.POSITIVE_INFINITY : spec.values === 'one' ? 2 : 1,
    },
    options: spec.options ?? {},
    examples: spec.examples,
    async run(ctx, [name = '', ...values], options) {
      spec.check?.(values);
      const client = await ctx.client();
      const existing = await client.getFeature(name);
      if (!existing && spec.mustExist) throw notFoundError(name);
      let feature: Feature | undefined;
      for (const value of spec.values === 'none' ? [undefined] : values) {
        feature = await spec.apply(client, name, value, options);
      }
      if (!feature) throw new Error('unreachable: no write was made');
      const created = existing ? '' : ` (created ${name})`;
      reportWrite(ctx, `${spec.message(name, values, options)}${created}`, feature);
      return undefined;
    },
  };
}

const ids = (values: string[]) => values.join(', ');

/** The gem-vocabulary commands that switch a feature on or off for someone. */
export const toggleCommands: Command[] = [
  toggle({
    name: 'activate',
    summary: 'Turn a feature on for everyone (group ALL)',
    usage: 'activate NAME',
    description: 'Adds the group ALL (and removes the kill switch NONE).',
    values: 'none',
    mustExist: false,
    examples: ['activate new_checkout'],
    apply: (c, n) => c.activate(n),
    message: (n) => `activated ${n} for everyone`,
  }),
  toggle({
    name: 'deactivate',
    summary: 'Turn a feature off for everyone',
    usage: 'deactivate NAME',
    description:
      "Clears groups, users, percentage and rules, like the gem's deactivate. Description, data and the excluded users stay.",
    values: 'none',
    mustExist: false,
    examples: ['deactivate new_checkout'],
    apply: (c, n) => c.deactivate(n),
    message: (n) => `deactivated ${n} for everyone`,
  }),
  toggle({
    name: 'activate-user',
    summary: 'Turn a feature on for users',
    usage: 'activate-user NAME ID [ID...] [--variant VARIANT]',
    description:
      "Adds user ids to the feature's user list; with --variant, pins them to one of the feature's variants (see set-variants).",
    values: 'many',
    mustExist: false,
    options: {
      variant: { type: 'string', value: 'VARIANT', help: 'pin the users to this variant' },
    },
    examples: [
      'activate-user chat 42',
      'activate-user chat 42 43 alice@example.com',
      'activate-user button_color 42 --variant blue',
    ],
    apply: (c, n, v, o) =>
      c.activateUser(n, v ?? '', typeof o.variant === 'string' ? { variant: o.variant } : {}),
    message: (n, v, o) =>
      `activated ${n} for user${v.length > 1 ? 's' : ''} ${ids(v)}${typeof o.variant === 'string' ? ` (variant ${o.variant})` : ''}`,
  }),
  toggle({
    name: 'deactivate-user',
    summary: "Take users off a feature's user list",
    usage: 'deactivate-user NAME ID [ID...]',
    description:
      "Removes user ids from the feature's user list (they may still get it through a group, rule or the percentage; exclude-user denies it outright).",
    values: 'many',
    mustExist: true,
    examples: ['deactivate-user chat 42'],
    apply: (c, n, v) => c.deactivateUser(n, v ?? ''),
    message: (n, v) => `deactivated ${n} for user${v.length > 1 ? 's' : ''} ${ids(v)}`,
  }),
  toggle({
    name: 'exclude-user',
    summary: 'Deny a feature to users, whatever else says',
    usage: 'exclude-user NAME ID [ID...]',
    description:
      "Puts user ids on the feature's deny list: they never get it (only the kill switch NONE is stronger).",
    values: 'many',
    mustExist: false,
    examples: ['exclude-user chat 666'],
    apply: (c, n, v) => c.excludeUser(n, v ?? ''),
    message: (n, v) => `excluded user${v.length > 1 ? 's' : ''} ${ids(v)} from ${n}`,
  }),
  toggle({
    name: 'include-user',
    summary: "Take users off a feature's deny list",
    usage: 'include-user NAME ID [ID...]',
    description: "Removes user ids from the feature's deny list.",
    values: 'many',
    mustExist: true,
    examples: ['include-user chat 666'],
    apply: (c, n, v) => c.includeUser(n, v ?? ''),
    message: (n, v) => `user${v.length > 1 ? 's' : ''} ${ids(v)} no longer excluded from ${n}`,
  }),
  toggle({
    name: 'activate-group',
    summary: 'Turn a feature on for groups',
    usage: 'activate-group NAME GROUP [GROUP...]',
    description:
      'Adds groups: users whose own groups list one of them get the feature, as do users of groups defined in code (rollout.defineGroup). ALL opens it to everyone, NONE kills it.',
    values: 'many',
    mustExist: false,
    examples: [
      'activate-group chat vip',
      'activate-group chat vip early_adopter',
      'activate-group chat NONE',
    ],
    apply: (c, n, v) => c.activateGroup(n, v ?? ''),
    message: (n, v) => `activated ${n} for group${v.length > 1 ? 's' : ''} ${ids(v)}`,
  }),
  toggle({
    name: 'deactivate-group',
    summary: 'Remove groups from a feature',
    usage: 'deactivate-group NAME GROUP [GROUP...]',
    description: "Removes groups from the feature's group list.",
    values: 'many',
    mustExist: true,
    examples: ['deactivate-group chat vip', 'deactivate-group chat NONE'],
    apply: (c, n, v) => c.deactivateGroup(n, v ?? ''),
    message: (n, v) => `deactivated ${n} for group${v.length > 1 ? 's' : ''} ${ids(v)}`,
  }),
  toggle({
    name: 'activate-percentage',
    summary: 'Turn a feature on for a percentage of users',
    usage: 'activate-percentage NAME PERCENT',
    description:
      'Sets the percentage (0 to 100, step 0.001). Users are bucketed by id, deterministically per feature: raising the percentage only adds users.',
    values: 'one',
    mustExist: false,
    examples: ['activate-percentage chat 20', 'activate-percentage chat 0.5'],
    check: (v) => {
      parsePercentage(v[0] ?? '');
    },
    apply: (c, n, v) => c.activatePercentage(n, parsePercentage(v ?? '')),
    message: (n, v) => `activated ${n} for ${Number(parsePercentage(v[0] ?? ''))} % of users`,
  }),
  toggle({
    name: 'deactivate-percentage',
    summary: "Set a feature's percentage to 0",
    usage: 'deactivate-percentage NAME',
    description: 'Sets the percentage to 0; lists, groups and rules stay.',
    values: 'none',
    mustExist: true,
    examples: ['deactivate-percentage chat'],
    apply: (c, n) => c.deactivatePercentage(n),
    message: (n) => `deactivated the percentage of ${n}`,
  }),
];
