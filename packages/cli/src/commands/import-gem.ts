import { redactStoreUrl } from '@rollout/core';
import { usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { explicitEra, planGemImport } from '../gem-plan.js';
import {
  convertGemRecord,
  type GemRecord,
  legacyGemRecord,
  parseGemRecord,
} from '../gem-record.js';
import { type GemData, readGemData } from '../gem-redis.js';
import { formulaOf } from '../gem-versions.js';
import { applyFeature, type ContentField, planFeature, type SyncResult } from '../sync-features.js';
import { countResults, printResult, summaryLine } from './sync-report.js';

/** What import-gem writes: what the gem knows. Description, rules and excluded users stay. */
const GEM_FIELDS: readonly ContentField[] = [
  'groups',
  'users',
  'percentage',
  'data',
  'hashVersion',
];

/** The features of the chosen layout, each read into a record when imported (a broken one fails alone). */
function gemFeatures(gem: GemData, layout: '1.x' | '2.x'): { name: string; read(): GemRecord }[] {
  if (layout === '1.x') {
    return [...gem.legacy].map(([name, keys]) => ({
      name,
      read: () => legacyGemRecord(name, keys),
    }));
  }
  return gem.names.map((name) => ({
    name,
    read: () => parseGemRecord(name, gem.records.get(name) ?? null),
  }));
}

/** `rollout import-gem --from redis://…`: migrates the Ruby rollout gem's flags. */
export const importGemCommand: Command = {
  name: 'import-gem',
  summary: "Import the Ruby rollout gem's flags from its Redis",
  usage: [
    'import-gem --from redis://HOST:PORT[/DB][?prefix=P] [--gem-version X.Y.Z]',
    '           [--randomize-percentage] [--dry-run]',
  ],
  description:
    "Reads the gem's data from its Redis without changing it and writes each feature into --store with one atomic write, bucketed with the formula of the gem version that reads those flags, so exactly the same users stay inside each percentage. The formula changed between gem releases: 0.2.1 – 1.2.0 user.id % 100 < percentage (hash version 8; keys feature:NAME:percentage, feature:NAME:users, feature:NAME:groups); 2.0.0c – 2.1.0 Zlib.crc32(id) % 100 < percentage (4); 2.2.0 – 2.2.4 the same, or crc32(id + name) % 100 with randomize_percentage (5); 2.3.0 – 2.4.1 crc32(id) % 100_000 < percentage * 1_000 (6, randomized 7); 2.4.2 and later crc32(id) < (2**32 - 1) / 100.0 * percentage (2, randomized 3). Releases up to 2.2.4 read the percentage with to_i (33.3 acted as 33): the whole percentage is imported. From 2.0 the data is feature:__features__ and one feature:NAME string, percentage|users|groups[|data]. Pass --gem-version (from Gemfile.lock) and --randomize-percentage when Rollout.new had randomize_percentage: true, which Redis does not record. Without --gem-version the layout is detected; when a feature has a percentage and the data cannot tell the formula, the import is refused with the versions to choose from. --dry-run shows the formula each feature would get. The gem's group all becomes ALL; other groups keep their names: define them in the TypeScript app with rollout.defineGroup, as they were defined in Ruby. Use ?prefix= when the gem ran under redis-namespace (e.g. ?prefix=myapp:). Running it again syncs: unchanged features are not written. Exits with 1 when a feature could not be imported (the others are), 2 when the formula is ambiguous.",
  unbounded: true,
  args: { min: 0, max: 0 },
  options: {
    from: {
      type: 'string',
      value: 'URL',
      help: "the gem's Redis: redis://host:port/db, ?prefix= for a namespace",
    },
    'gem-version': {
      type: 'string',
      value: 'X.Y.Z',
      help: 'the rollout gem version that reads these flags (Gemfile.lock): picks its formula and layout',
    },
    'randomize-percentage': {
      type: 'boolean',
      help: 'the gem ran with Rollout.new(redis, randomize_percentage: true) (gem 2.2.0 and later)',
    },
    bucketing: {
      type: 'string',
      value: 'KIND',
      help: 'older spelling: default (= 2.4.2 and later), randomize, modulo (= 2.0.0c – 2.2.4)',
    },
    'dry-run': {
      type: 'boolean',
      short: 'n',
      help: 'show what would be imported, and with which formula, without writing',
    },
  },
  examples: [
    'import-gem --from redis://localhost:6379/0 --gem-version 2.4.6 --store file:./flags.json --dry-run',
    'import-gem --from redis://localhost:6379/0?prefix=myapp: --gem-version 2.6.0 --store postgres://db/app',
    'import-gem --from redis://legacy:6379 --gem-version 2.2.4 --randomize-percentage --store redis://new:6379',
    'import-gem --from redis://very-old:6379 --gem-version 1.2.0 --store file:./flags.json',
  ],
  async run(ctx, _args, options) {
    const from = options.from;
    if (typeof from !== 'string' || from === '') {
      throw usageError(
        "--from is required: the gem's Redis URL, e.g. --from redis://localhost:6379/0",
      );
    }
    ctx.protectUrl(from);
    const dryRun = options['dry-run'] === true;
    const shownFrom = redactStoreUrl(from);
    const choice = {
      gemVersion: typeof options['gem-version'] === 'string' ? options['gem-version'] : undefined,
      randomized: options['randomize-percentage'] === true,
      bucketing: typeof options.bucketing === 'string' ? options.bucketing : undefined,
    };
    explicitEra(choice); // bad options fail before connecting
    const gem = await readGemData(from, shownFrom);
    const plan = planGemImport(gem, choice, shownFrom);
    const { hashVersion, releases } = plan.bucketing;
    const formula = `hash version ${hashVersion}: ${formulaOf(hashVersion)}`;
    const features = gemFeatures(gem, plan.layout);
    ctx.out.note(
      `read ${features.length} feature(s) from ${shownFrom} (gem ${plan.layout} layout); formula of gem ${releases}, ${formula} (${plan.basis})`,
    );
    for (const warning of plan.warnings) ctx.out.warn(warning);
    const client = await ctx.client();
    const results: SyncResult[] = [];
    const failures: { name: string; error: string }[] = [];
    const warnings: { name: string; warning: string }[] = [];
    const codeGroups = new Set<string>();
    for (const { name, read } of features) {
      try {
        const record = read();
        if (plan.layout === '2.x' && record.raw === null) {
          warnings.push({
            name,
            warning: 'listed in feature:__features__ but has no record; imported as off',
          });
        }
        const converted = convertGemRecord(record, plan.bucketing);
        for (const warning of converted.warnings) warnings.push({ name, warning });
        for (const g of converted.feature.groups) if (g !== 'ALL') codeGroups.add(g);
        const result = dryRun
          ? await planFeature(client.store, converted.feature, GEM_FIELDS)
          : await applyFeature(client.store, converted.feature, GEM_FIELDS);
        results.push(result);
        if (!ctx.out.json) {
          printResult(ctx, result, dryRun);
          if (dryRun) ctx.out.line(`      formula: ${formula}`);
        }
      } catch (error) {
        const message =
          error instanceof Error ? error.message.replace(/^\[rollout\] /, '') : String(error);
        failures.push({ name, error: message });
        if (!ctx.out.json)
          ctx.out.note(`${ctx.out.style('red', '✗ failed')}     ${name}: ${message}`);
      }
    }
    for (const w of warnings) ctx.out.warn(`${w.name}: ${w.warning}`);
    if (codeGroups.size > 0) {
      ctx.out.note(
        `groups ${[...codeGroups].sort().join(', ')} were defined in Ruby code: define them in your app with rollout.defineGroup(name, predicate)`,
      );
    }
    const counts = countResults(results, failures.length);
    if (ctx.out.json) {
      ctx.out.printJson({
        dryRun,
        source: shownFrom,
        layout: plan.layout,
        gemVersions: releases,
        hashVersion,
        formula: formulaOf(hashVersion),
        basis: plan.basis,
        ...counts,
        results: results.map((r) => ({ ...r, hashVersion })),
        failures,
        warnings,
      });
    } else {
      ctx.out.line(summaryLine(counts, dryRun));
    }
    return failures.length > 0 ? EXIT.ERROR : undefined;
  },
};
