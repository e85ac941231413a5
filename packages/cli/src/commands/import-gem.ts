import { redactStoreUrl } from '@rollout/core';
import { CliError, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { convertGemRecord, parseGemRecord } from '../gem-record.js';
import { readGemData } from '../gem-redis.js';
import { applyFeature, type ContentField, planFeature, type SyncResult } from '../sync-features.js';
import { countResults, printResult, summaryLine } from './sync-report.js';

/** `--bucketing` values and the hash version each maps to. */
const BUCKETING: Readonly<Record<string, { version: number; formula: string }>> = {
  default: { version: 2, formula: 'Zlib.crc32(id) < (2**32 - 1) / 100.0 * percentage' },
  randomize: { version: 3, formula: 'Zlib.crc32(id + feature) < (2**32 - 1) / 100.0 * percentage' },
  modulo: { version: 4, formula: 'Zlib.crc32(id) % 100 < percentage' },
};

/** What import-gem writes: what the gem knows. Description, rules and excluded users stay. */
const GEM_FIELDS: readonly ContentField[] = [
  'groups',
  'users',
  'percentage',
  'data',
  'hashVersion',
];

/** `rollout import-gem --from redis://…`: migrates the Ruby rollout gem's flags. */
export const importGemCommand: Command = {
  name: 'import-gem',
  summary: "Import the Ruby rollout gem's flags from its Redis",
  usage: [
    'import-gem --from redis://HOST:PORT[/DB][?prefix=P] [--randomize-percentage]',
    '           [--bucketing default|randomize|modulo] [--dry-run]',
  ],
  description:
    "Reads the gem's data from its Redis without changing it (feature:__features__ and each feature:<name> string, percentage|users|groups|data, also the shorter records older gems wrote) and writes each feature into --store with one atomic write, bucketed with the gem's own formula so the same users stay inside each percentage: --bucketing default (gem >= 2.1: Zlib.crc32(id) < (2**32-1)/100.0 * percentage, hash version 2), randomize (Rollout.new(redis, randomize_percentage: true): crc32 of id + feature name, hash version 3; --randomize-percentage is the same), modulo (gem 1.x and 2.0, whose user_in_percentage? is crc32(id) % 100 < percentage, hash version 4). The gem's group all becomes ALL; other groups keep their names: define them in the TypeScript app with rollout.defineGroup, as they were defined in Ruby. Use ?prefix= when the gem ran under redis-namespace (e.g. ?prefix=myapp:). Running it again syncs: unchanged features are not written. Exits with 1 when a feature could not be imported (the others are).",
  unbounded: true,
  args: { min: 0, max: 0 },
  options: {
    from: {
      type: 'string',
      value: 'URL',
      help: "the gem's Redis: redis://host:port/db, ?prefix= for a namespace",
    },
    'randomize-percentage': {
      type: 'boolean',
      help: 'the gem ran with randomize_percentage: true (same as --bucketing randomize)',
    },
    bucketing: {
      type: 'string',
      value: 'KIND',
      help: "the gem's percentage formula: default, randomize or modulo",
    },
    'dry-run': { type: 'boolean', short: 'n', help: 'show what would be imported without writing' },
  },
  examples: [
    'import-gem --from redis://localhost:6379/0 --store file:./flags.json --dry-run',
    'import-gem --from redis://localhost:6379/0?prefix=myapp: --store postgres://db/app',
    'import-gem --from redis://legacy:6379 --randomize-percentage --store redis://new:6379',
    'import-gem --from redis://very-old:6379 --bucketing modulo --store file:./flags.json',
  ],
  async run(ctx, _args, options) {
    const from = options.from;
    if (typeof from !== 'string' || from === '') {
      throw usageError(
        "--from is required: the gem's Redis URL, e.g. --from redis://localhost:6379/0",
      );
    }
    ctx.protectUrl(from);
    let kind = typeof options.bucketing === 'string' ? options.bucketing : 'default';
    if (options['randomize-percentage'] === true) {
      if (typeof options.bucketing === 'string' && options.bucketing !== 'randomize') {
        throw usageError(`--randomize-percentage contradicts --bucketing ${options.bucketing}`);
      }
      kind = 'randomize';
    }
    const bucketing = BUCKETING[kind];
    if (!bucketing) {
      throw usageError(
        `unknown --bucketing ${JSON.stringify(kind)}; use default, randomize or modulo`,
        'see rollout import-gem --help for which gem versions use which',
      );
    }
    const dryRun = options['dry-run'] === true;
    const shownFrom = redactStoreUrl(from);
    const gem = await readGemData(from, shownFrom);
    if (gem.names.length === 0) {
      throw new CliError(
        `found no features at ${JSON.stringify(`${gem.prefix}feature:__features__`)} in ${shownFrom}`,
        EXIT.ERROR,
        {
          hint: 'check the database number (redis://host:6379/N) and the key prefix (?prefix=myapp:)',
        },
      );
    }
    ctx.out.note(
      `read ${gem.names.length} feature(s) from ${shownFrom}; bucketing: ${kind} (hash version ${bucketing.version}: ${bucketing.formula})`,
    );
    const client = await ctx.client();
    const results: SyncResult[] = [];
    const failures: { name: string; error: string }[] = [];
    const warnings: { name: string; warning: string }[] = [];
    const codeGroups = new Set<string>();
    for (const name of gem.names) {
      try {
        const record = parseGemRecord(name, gem.records.get(name) ?? null);
        if (record.raw === null) {
          warnings.push({
            name,
            warning: 'listed in feature:__features__ but has no record; imported as off',
          });
        }
        const converted = convertGemRecord(record, bucketing.version);
        for (const warning of converted.warnings) warnings.push({ name, warning });
        for (const g of converted.feature.groups) if (g !== 'ALL') codeGroups.add(g);
        const result = dryRun
          ? await planFeature(client.store, converted.feature, GEM_FIELDS)
          : await applyFeature(client.store, converted.feature, GEM_FIELDS);
        results.push(result);
        if (!ctx.out.json) printResult(ctx, result, dryRun);
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
        bucketing: kind,
        hashVersion: bucketing.version,
        ...counts,
        results,
        failures,
        warnings,
      });
    } else {
      ctx.out.line(summaryLine(counts, dryRun));
    }
    return failures.length > 0 ? EXIT.ERROR : undefined;
  },
};
