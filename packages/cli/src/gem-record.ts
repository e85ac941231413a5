import { type Feature, featureFromInput, GROUP_ALL, type JsonObject } from '@rollout/core';

/**
 * One feature as the Ruby `rollout` gem stores it: the string at `feature:<name>`,
 * `percentage|users|groups|data-json` (gem >= 2.1). Older gems wrote fewer fields:
 * `percentage|users|groups` (1.x, 2.0), and a missing key means a feature that was
 * listed but never written (the gem treats it as off).
 */
export interface GemRecord {
  name: string;
  /** The raw string, or null when the key does not exist. */
  raw: string | null;
  percentage: number;
  users: string[];
  groups: string[];
  data: JsonObject;
  /** How many `|`-separated fields the record had (0 for a missing key). */
  fields: number;
}

/**
 * Ruby's `String#to_f`: the longest numeric prefix, 0.0 when there is none
 * ("" → 0, "20.0" → 20, "12.5abc" → 12.5, "1_000" → 1000).
 */
export function rubyToF(text: string): number {
  const match = /^\s*([+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?)/.exec(text);
  const literal = (match?.[1] ?? '').replaceAll('_', '');
  const value = Number(literal);
  return literal === '' || !Number.isFinite(value) ? 0 : value;
}

/** Ruby's `str.split('|', 4)`: at most four fields, the last keeps the rest (pipes in the JSON data). */
function splitFields(raw: string): string[] {
  const out: string[] = [];
  let rest = raw;
  while (out.length < 3) {
    const at = rest.indexOf('|');
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/** Ruby's `str.split(',')` then dropping empty entries (an empty id can never match). */
function splitList(raw: string | undefined): string[] {
  return (raw ?? '').split(',').filter((s) => s !== '');
}

/**
 * Parses the gem's record of feature `name`. Throws an Error saying what is wrong
 * when the data field is not a JSON object (the gem itself would fail to load it).
 */
export function parseGemRecord(name: string, raw: string | null): GemRecord {
  if (raw === null) {
    return { name, raw, percentage: 0, users: [], groups: [], data: {}, fields: 0 };
  }
  const fields = splitFields(raw);
  const [rawPercentage = '', rawUsers, rawGroups, rawData] = fields;
  let data: JsonObject = {};
  if (rawData !== undefined && rawData.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawData);
    } catch (error) {
      throw new Error(
        `the data field is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the data field is not a JSON object');
    }
    data = parsed as JsonObject;
  }
  return {
    name,
    raw,
    percentage: rubyToF(rawPercentage),
    users: splitList(rawUsers),
    groups: splitList(rawGroups),
    data,
    fields: fields.length,
  };
}

/** A gem record turned into a rollout feature, with what the conversion had to change. */
export interface ConvertedGemFeature {
  feature: Feature;
  warnings: string[];
}

/**
 * Converts a gem record into a rollout feature bucketed with `hashVersion` (2: the
 * gem's RAND_BASE formula, 3: its `randomize_percentage` variant, 4: the 1.x
 * modulo formula), so the same users stay inside the percentage. The gem's
 * built-in group `all` becomes `ALL`; other groups are kept by name (define them
 * with `rollout.defineGroup` in the TypeScript app, as they were defined in Ruby).
 * Throws a rollout ValidationError when a name or id cannot be a rollout name or id.
 */
export function convertGemRecord(record: GemRecord, hashVersion: number): ConvertedGemFeature {
  const warnings: string[] = [];
  let percentage = record.percentage;
  if (percentage > 100) {
    warnings.push(`percentage ${percentage} is above 100; imported as 100`);
    percentage = 100;
  } else if (percentage < 0) {
    warnings.push(`percentage ${percentage} is negative; imported as 0`);
    percentage = 0;
  }
  const rounded = Math.round(percentage * 1000) / 1000;
  if (rounded !== percentage) {
    warnings.push(
      `percentage ${percentage} rounded to ${rounded} (rollout's resolution is 0.001 %): users right at the edge may change`,
    );
  }
  if (hashVersion === 4 && !Number.isInteger(percentage)) {
    warnings.push(
      `percentage ${percentage} is fractional, which the 1.x modulo formula compares as is`,
    );
  }
  const groups = record.groups.map((g) => (g === 'all' ? GROUP_ALL : g));
  const feature = featureFromInput(
    {
      name: record.name,
      users: record.users,
      groups,
      percentage: rounded,
      data: record.data,
      hashVersion,
    },
    new Date().toISOString(),
  );
  return { feature, warnings };
}
