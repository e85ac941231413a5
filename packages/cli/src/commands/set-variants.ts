import { readFile } from 'node:fs/promises';
import { type JsonValue, normalizeVariants, type Variant } from '@rollout/core';
import { CliError, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseJson } from '../parse-values.js';
import { reportWrite } from './report.js';

/** `red=60` → name and weight. */
function parseSplit(text: string): { name: string; weight: number } {
  const at = text.lastIndexOf('=');
  const weight = at > 0 ? Number(text.slice(at + 1).replace(/%$/, '')) : Number.NaN;
  if (at <= 0 || text.slice(at + 1).trim() === '' || !Number.isFinite(weight)) {
    throw usageError(
      `invalid variant ${JSON.stringify(text)}: give NAME=WEIGHT, e.g. red=60`,
      'the weights of all variants must sum to 100',
    );
  }
  return { name: text.slice(0, at), weight };
}

/** `--value red='"#f00"'` → name and JSON value. */
function parseValues(list: readonly string[]): Map<string, JsonValue> {
  const values = new Map<string, JsonValue>();
  for (const text of list) {
    const at = text.indexOf('=');
    if (at <= 0) throw usageError(`invalid --value ${JSON.stringify(text)}: give NAME=JSON`);
    const name = text.slice(0, at);
    values.set(name, parseJson(text.slice(at + 1), `--value ${name}`));
  }
  return values;
}

/** A `--file`: a JSON array of variants, or `{ "variants": [...], "offValue": ... }`. */
async function readVariantFile(path: string): Promise<{ variants: unknown; offValue?: JsonValue }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${JSON.stringify(path)}: ${(error as { code?: string }).code ?? String(error)}`,
      EXIT.ERROR,
      { cause: error },
    );
  }
  const doc = parseJson(text, path);
  if (Array.isArray(doc)) return { variants: doc };
  if (typeof doc === 'object' && doc !== null && 'variants' in doc) {
    return doc as { variants: unknown; offValue?: JsonValue };
  }
  throw usageError(
    `${path} must hold a JSON array of { name, value, weight } or { "variants": [...], "offValue": ... }`,
  );
}

function asList(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** `rollout set-variants NAME red=60 blue=40 --value red='"#f00"'`: the values a feature serves. */
export const setVariantsCommand: Command = {
  name: 'set-variants',
  summary: 'Set the weighted variants (values) a feature serves',
  usage: [
    'set-variants NAME VARIANT=WEIGHT... [--value VARIANT=JSON]... [--off-value JSON]',
    'set-variants NAME --file FILE',
    'set-variants NAME --clear',
  ],
  description:
    'Replaces the variants of a feature in one atomic write (creating the feature when it does not exist). Among the users the feature is on for, each variant gets WEIGHT percent (weights in steps of 0.001, summing to 100); a user keeps their variant while the weights stay, and a weight change between neighbouring variants moves only the users that must move. --value gives a variant its JSON value (default: its name as a string); --off-value the value for users the feature is off for. --file reads a JSON array of { name, value, weight } (or { "variants": [...], "offValue": ... }). --clear removes the variants, the users pinned to them and the rules\' variant names. Pin a user with activate-user NAME USER --variant VARIANT.',
  args: { min: 1, max: 101 },
  options: {
    value: {
      type: 'string',
      multiple: true,
      value: 'VARIANT=JSON',
      help: "a variant's value, as JSON (repeat for each variant)",
    },
    'off-value': { type: 'string', value: 'JSON', help: 'the value where the feature is off' },
    file: { type: 'string', value: 'FILE', help: 'read the variants from a JSON file' },
    clear: { type: 'boolean', help: 'remove the variants' },
  },
  examples: [
    'set-variants button_color red=60 blue=40 --value red=\'"#f00"\' --value blue=\'"#00f"\'',
    'set-variants checkout control=50 treatment=50 --off-value \'"control"\'',
    'set-variants limits --file limits-variants.json',
    'set-variants button_color --clear',
  ],
  async run(ctx, [name = '', ...splits], options) {
    const values = parseValues(asList(options.value));
    const file = typeof options.file === 'string' ? options.file : undefined;
    if (options.clear === true) {
      if (splits.length > 0 || file || values.size > 0 || options['off-value'] !== undefined) {
        throw usageError('--clear takes no variants, --value, --off-value or --file');
      }
      const client = await ctx.client();
      reportWrite(ctx, `cleared the variants of ${name}`, await client.clearVariants(name));
      return undefined;
    }
    if ((file === undefined) === (splits.length === 0)) {
      throw usageError(
        file ? 'give either VARIANT=WEIGHT arguments or --file, not both' : 'no variants given',
        'e.g. rollout set-variants NAME red=60 blue=40 (see rollout set-variants --help)',
      );
    }
    let raw: unknown;
    let offValue: JsonValue | undefined;
    if (file !== undefined) {
      if (values.size > 0)
        throw usageError('--value goes with VARIANT=WEIGHT arguments, not --file');
      ({ variants: raw, offValue } = await readVariantFile(file));
    } else {
      const list = splits.map(parseSplit);
      const unknown = [...values.keys()].filter((v) => !list.some((s) => s.name === v));
      if (unknown.length > 0) throw usageError(`--value for unknown variant ${unknown.join(', ')}`);
      raw = list.map((s) => ({
        name: s.name,
        value: values.get(s.name) ?? s.name,
        weight: s.weight,
      }));
    }
    if (typeof options['off-value'] === 'string') {
      offValue = parseJson(options['off-value'], '--off-value');
    }
    // Validated before connecting: errors name the field (variants[1].weight).
    const variants: Variant[] = normalizeVariants(raw);
    const client = await ctx.client();
    const feature = await client.setVariants(
      name,
      variants,
      offValue === undefined ? {} : { offValue },
    );
    const split = variants.map((v) => `${v.name} ${v.weight} %`).join(', ');
    reportWrite(ctx, `set the variants of ${name}: ${split}`, feature);
    return undefined;
  },
};
