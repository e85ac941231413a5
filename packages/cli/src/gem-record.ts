import { type Feature, featureFromInput, GROUP_ALL, type JsonObject } from '@rollout/core';
import type { LegacyGemKeys } from './gem-redis.js';

/**
 * One feature as the Ruby `rollout` gem stores it. Gem 2.x: the string at
 * `feature:<name>`, `percentage|users|groups|data-json` (2.4.0 and later; 2.0.0 –
 * 2.3.x wrote `percentage|users|groups`), and a missing key means a feature that
 * was listed but never written (the gem treats it as off). Gem 0.x/1.x: one key
 * per gate (see {@link legacyGemRecord}).
 */
export interface GemRecord {
  name: string;
  /** The raw 2.x string, or null when the key does not exist or the layout is 1.x. */
  raw: string | null;
  /** The stored percentage text, as the gem read it back (with `to_i` or `to_f`). */
  percentageText: string;
  /** The percentage as gem 2.3.0 and later read it (`String#to_f`). */
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

/**
 * Ruby's `String#to_i`: the longest integer prefix, 0 when there is none
 * ("33.3" → 33, "" → 0, " 7" → 7, "1_000" → 1000, "-3.9" → -3). Gem releases
 * up to 2.2.4 read the stored percentage with it.
 */
export function rubyToI(text: string): number {
  const match = /^\s*([+-]?\d+(?:_\d+)*)/.exec(text);
  return match ? Number((match[1] as string).replaceAll('_', '')) : 0;
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
    return {
      name,
      raw,
      percentageText: '',
      percentage: 0,
      users: [],
      groups: [],
      data: {},
      fields: 0,
    };
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
    percentageText: rawPercentage,
    percentage: rubyToF(rawPercentage),
    users: splitList(rawUsers),
    groups: splitList(rawGroups),
    data,
    fields: fields.length,
  };
}

/**
 * A feature of the gem 0.x/1.x layout as a record: the percentage string, the
 * users and groups sets; a feature in gem 1.2.0's `feature:__global__` set gets
 * the group `all` (which 1.x also defined as everyone).
 */
export function legacyGemRecord(name: string, keys: LegacyGemKeys): GemRecord {
  const groups =
    keys.global && !keys.groups.includes('all') ? [...keys.groups, 'all'] : keys.groups;
  const percentageText = keys.percentage ?? '';
  return {
    name,
    raw: null,
    percentageText,
    percentage: rubyToF(percentageText),
    users: keys.users.filter((u) => u !== ''),
    groups: groups.filter((g) => g !== ''),
    data: {},
    fields: 0,
  };
}

/** How the gem that wrote a record bucketed it. */
export interface GemBucketing {
  /** The rollout hash version of the gem's formula. */
  hashVersion: number;
  /** Whether the gem read the stored percentage with `to_i` (releases up to 2.2.4). */
  truncates: boolean;
  /** Which gem releases these are, for messages ("2.2.0 – 2.2.4"). */
  releases: string;
}

/** A gem record turned into a rollout feature, with what the conversion had to change. */
export interface ConvertedGemFeature {
  feature: Feature;
  warnings: string[];
}

/**
 * Converts a gem record into a rollout feature bucketed with the gem's own formula
 * (`bucketing.hashVersion`) and the percentage the gem applied (truncated where
 * the gem read it with `to_i`), so the same users stay inside it. The gem's
 * built-in group `all` becomes `ALL`; other groups are kept by name (define them
 * with `rollout.defineGroup` in the TypeScript app, as they were defined in Ruby).
 * Throws a rollout ValidationError when a name or id cannot be a rollout name or id.
 */
export function convertGemRecord(record: GemRecord, bucketing: GemBucketing): ConvertedGemFeature {
  const warnings: string[] = [];
  let percentage = record.percentage;
  if (bucketing.truncates) {
    percentage = rubyToI(record.percentageText);
    if (percentage !== record.percentage) {
      warnings.push(
        `percentage ${JSON.stringify(record.percentageText)} is read by gem ${bucketing.releases} with to_i: imported as ${percentage}, the percentage the gem applied`,
      );
    }
  }
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
  const groups = record.groups.map((g) => (g === 'all' ? GROUP_ALL : g));
  const feature = featureFromInput(
    {
      name: record.name,
      users: record.users,
      groups,
      percentage: rounded,
      data: record.data,
      hashVersion: bucketing.hashVersion,
    },
    new Date().toISOString(),
  );
  return { feature, warnings };
}
