import {
  checkVariantReferences,
  FeatureNotFoundError,
  type FeaturePatch,
  featureFromInput,
  mutateFeature,
  normalizeData,
  normalizeRules,
} from '@rollout/core';
import { notFoundError, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { parseJsonArray, parseJsonObject } from '../parse-values.js';
import { reportWrite } from './report.js';

/** `rollout set NAME --description … --data …`: changes descriptive fields. */
export const setCommand: Command = {
  name: 'set',
  summary: "Set a feature's description, data or rules",
  usage: ['set NAME [--description TEXT] [--data JSON [--merge]] [--rules JSON]'],
  description:
    "Changes a feature's description, its free-form data (replaced, or with --merge merged key by key into the stored data) or its attribute rules, in one atomic write. Exits with 3 when the feature does not exist.",
  args: { min: 1, max: 1 },
  options: {
    description: { type: 'string', value: 'TEXT', help: 'new description ("" clears it)' },
    data: { type: 'string', value: 'JSON', help: 'new data, a JSON object' },
    merge: { type: 'boolean', help: 'merge --data into the stored data instead of replacing it' },
    rules: {
      type: 'string',
      value: 'JSON',
      help: 'new attribute rules, a JSON array ([] clears them)',
    },
  },
  examples: [
    'set chat --description "Live chat for support"',
    'set banner --data \'{"color":"teal","owner":"growth"}\'',
    'set banner --data \'{"color":"red"}\' --merge',
    'set nz_only --rules \'[{"attribute":"country","operator":"in","values":["NZ","AU"]}]\'',
  ],
  async run(ctx, [name = ''], options) {
    const patch: FeaturePatch = {};
    if (typeof options.description === 'string') patch.description = options.description;
    if (typeof options.data === 'string') patch.data = parseJsonObject(options.data, '--data');
    if (typeof options.rules === 'string') {
      patch.rules = parseJsonArray(options.rules, '--rules') as FeaturePatch['rules'];
    }
    if (Object.keys(patch).length === 0) {
      throw usageError(
        'nothing to set',
        'give --description, --data or --rules (see rollout set --help)',
      );
    }
    if (options.merge && patch.data === undefined) throw usageError('--merge needs --data');
    // Validated up front, exactly as addFeature would store the values.
    // Rules apart: a rule may name a variant, which only the stored feature can confirm.
    const { rules, ...fields } = patch;
    const checked = featureFromInput({ name, ...fields }, new Date().toISOString());
    const checkedRules = rules === undefined ? undefined : normalizeRules(rules);
    const client = await ctx.client();
    try {
      // One compare-and-set write: a concurrent change is re-read and re-applied, never lost.
      const result = await mutateFeature(client.store, checked.name, (f) => {
        if (patch.description !== undefined) f.description = checked.description;
        if (checkedRules !== undefined) f.rules = checkedRules;
        if (patch.data !== undefined) {
          f.data = options.merge ? normalizeData({ ...f.data, ...checked.data }) : checked.data;
        }
        checkVariantReferences(f);
        return f;
      });
      const what = Object.keys(patch).join(', ');
      reportWrite(
        ctx,
        result.changed ? `set ${what} of ${name}` : `${name} already had that ${what}`,
        result.feature,
      );
    } catch (error) {
      if (error instanceof FeatureNotFoundError) throw notFoundError(name);
      throw error;
    }
    return undefined;
  },
};
