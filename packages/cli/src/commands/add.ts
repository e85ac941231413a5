import { FeatureExistsError, type FeatureInput, hashVersions } from '@rollout/core';
import { CliError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseJsonArray, parseJsonObject, parsePercentage, splitList } from '../parse-values.js';
import { reportWrite } from './report.js';

/** `rollout add NAME`: creates a feature. */
export const addCommand: Command = {
  name: 'add',
  summary: 'Create a feature (off unless options open it)',
  usage: [
    'add NAME [--description TEXT] [--percentage P] [--users ID,ID] [--groups G,G]',
    '         [--excluded-users ID,ID] [--rules JSON] [--data JSON] [--hash-version N] [--replace]',
  ],
  description:
    'Creates a feature. Without options it is off for everyone. Fails (exit 1) when the feature exists, unless --replace, which overwrites it in one atomic write.',
  args: { min: 1, max: 1 },
  options: {
    description: { type: 'string', value: 'TEXT', help: 'what the feature is for' },
    percentage: { type: 'string', value: 'P', help: 'percentage of users, 0 to 100 (step 0.001)' },
    users: { type: 'string', value: 'IDS', help: 'comma-separated user ids that get it' },
    groups: {
      type: 'string',
      value: 'GROUPS',
      help: 'comma-separated groups (ALL: everyone, NONE: kill switch)',
    },
    'excluded-users': {
      type: 'string',
      value: 'IDS',
      help: 'comma-separated user ids that never get it',
    },
    rules: { type: 'string', value: 'JSON', help: 'attribute rules, a JSON array' },
    data: { type: 'string', value: 'JSON', help: 'free-form data, a JSON object' },
    'hash-version': { type: 'string', value: 'N', help: 'bucketing hash version (default 1)' },
    replace: { type: 'boolean', help: 'overwrite the feature if it exists' },
  },
  examples: [
    'add new_checkout --description "One-page checkout"',
    'add chat --percentage 20 --groups vip,beta',
    'add nz_only --rules \'[{"attribute":"country","operator":"in","values":["NZ"]}]\'',
    'add banner --data \'{"color":"teal"}\' --users 42,43',
  ],
  async run(ctx, [name = ''], options) {
    const input: FeatureInput = { name };
    if (typeof options.description === 'string') input.description = options.description;
    if (typeof options.percentage === 'string')
      input.percentage = parsePercentage(options.percentage);
    if (typeof options.users === 'string') input.users = splitList(options.users);
    if (typeof options.groups === 'string') input.groups = splitList(options.groups);
    if (typeof options['excluded-users'] === 'string') {
      input.excludedUsers = splitList(options['excluded-users']);
    }
    if (typeof options.rules === 'string') {
      input.rules = parseJsonArray(options.rules, '--rules') as FeatureInput['rules'];
    }
    if (typeof options.data === 'string') input.data = parseJsonObject(options.data, '--data');
    if (typeof options['hash-version'] === 'string') {
      const known = hashVersions().map((h) => h.version);
      const version = Number(options['hash-version']);
      if (!known.includes(version)) {
        throw new CliError(
          `unknown --hash-version ${JSON.stringify(options['hash-version'])}; known: ${known.join(', ')}`,
          EXIT.USAGE,
        );
      }
      input.hashVersion = version;
    }
    const client = await ctx.client();
    try {
      const feature = await client.addFeature(input, { replace: options.replace === true });
      reportWrite(ctx, `${options.replace ? 'wrote' : 'created'} ${feature.name}`, feature);
    } catch (error) {
      if (error instanceof FeatureExistsError) {
        throw new CliError(`feature ${JSON.stringify(name)} already exists`, EXIT.ERROR, {
          hint: 'use --replace to overwrite it, or rollout set / activate-* to change it',
          cause: error,
        });
      }
      throw error;
    }
    return undefined;
  },
};
