import { CliError, usageError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import type { GemBucketing } from './gem-record.js';
import { rubyToF } from './gem-record.js';
import type { GemData } from './gem-redis.js';
import {
  compareGemVersions,
  DATA_FIELD_SINCE,
  eraOf,
  erasHint,
  GEM_ERAS,
  type GemEra,
  hashVersionOf,
  LATEST_ERA,
} from './gem-versions.js';

/** What the user said about the gem: `--gem-version`, `--randomize-percentage`, `--bucketing`. */
export interface GemChoice {
  gemVersion: string | undefined;
  randomized: boolean;
  bucketing: string | undefined;
}

/** Which layout import-gem reads and which formula every feature gets, and why. */
export interface GemPlan {
  layout: '1.x' | '2.x';
  bucketing: GemBucketing;
  /** Why this formula: the option given, or what the data showed. */
  basis: string;
  /** Things the user should know about the choice. */
  warnings: string[];
}

/** `--bucketing` (the older option): a formula without a version, as gem releases. */
const BUCKETING_ERAS: Readonly<Record<string, { era: GemEra; releases: string }>> = {
  default: { era: LATEST_ERA, releases: LATEST_ERA.releases },
  randomize: { era: LATEST_ERA, releases: LATEST_ERA.releases },
  modulo: { era: GEM_ERAS.find((e) => e.first === '2.2.0') as GemEra, releases: '2.0.0c – 2.2.4' },
};

/** The 2.x record's percentage text: what precedes the first `|`. */
function percentageText(raw: string): string {
  const at = raw.indexOf('|');
  return at < 0 ? raw : raw.slice(0, at);
}

/** A feature that some gem formula lets users in by percentage (to_f, the most any release read), if any. */
function featureWithPercentage(gem: GemData, layout: '1.x' | '2.x'): string | undefined {
  if (layout === '1.x') {
    for (const [name, keys] of gem.legacy) if (rubyToF(keys.percentage ?? '') > 0) return name;
    return undefined;
  }
  return gem.names.find((n) => rubyToF(percentageText(gem.records.get(n) ?? '')) > 0);
}

/** Whether any 2.x record carries the data field, which only gem 2.4.0 and later write. */
function hasDataField(gem: GemData): boolean {
  return gem.names.some((n) => (gem.records.get(n) ?? '').split('|').length >= 4);
}

/**
 * The era `--gem-version` or `--bucketing` names, or undefined when neither was
 * given; a usage error for options that contradict each other or the gem. Pure:
 * import-gem calls it before connecting, so bad options fail fast.
 */
export function explicitEra(
  choice: GemChoice,
): { era: GemEra; releases: string; basis: string } | undefined {
  if (choice.gemVersion !== undefined && choice.bucketing !== undefined) {
    throw usageError(
      '--gem-version and --bucketing both choose the formula: pass only --gem-version',
    );
  }
  if (choice.gemVersion !== undefined) {
    const era = eraOf(choice.gemVersion);
    hashVersionOf(era, choice.randomized, choice.gemVersion);
    return { era, releases: era.releases, basis: `--gem-version ${choice.gemVersion}` };
  }
  if (choice.bucketing === undefined) return undefined;
  const named = BUCKETING_ERAS[choice.bucketing];
  if (!named) {
    throw usageError(
      `unknown --bucketing ${JSON.stringify(choice.bucketing)}; use default, randomize or modulo, or better --gem-version X.Y.Z`,
      erasHint(),
    );
  }
  if (choice.randomized && choice.bucketing === 'default') {
    throw usageError('--randomize-percentage contradicts --bucketing default');
  }
  return { ...named, basis: `--bucketing ${choice.bucketing}` };
}

/**
 * Decides how to import `gem`: from `--gem-version` (or `--bucketing`) when given,
 * else from what the data shows (which layout; whether any feature has a
 * percentage, and so whether the formula matters at all). Throws a usage error
 * listing the gem versions and the option to pass when the formula is ambiguous,
 * rather than importing with one that moves users.
 */
export function planGemImport(gem: GemData, choice: GemChoice, shownFrom: string): GemPlan {
  const has2 = gem.names.length > 0;
  const has1 = gem.legacy.size > 0;
  if (!has2 && !has1) {
    throw new CliError(
      `found no rollout gem features in ${shownFrom}: neither ${JSON.stringify(`${gem.prefix}feature:__features__`)} (gem 2.x) nor ${gem.prefix}feature:NAME:percentage|users|groups keys (gem 0.x/1.x)`,
      EXIT.ERROR,
      {
        hint: 'check the database number (redis://host:6379/N) and the key prefix (?prefix=myapp:)',
      },
    );
  }
  const warnings: string[] = [];
  const explicit = explicitEra(choice);
  const randomized = choice.randomized || choice.bucketing === 'randomize';
  const layout = explicit ? explicit.era.layout : has2 ? '2.x' : '1.x';
  if (layout === '1.x' && !has1) {
    throw new CliError(
      `gem ${explicit?.releases} keeps feature:NAME:percentage|users|groups keys, and ${shownFrom} has none (it has ${JSON.stringify(`${gem.prefix}feature:__features__`)}, the layout of gem 2.0 and later)`,
      EXIT.USAGE,
      {
        hint: 'check --gem-version: it is the version in the Gemfile.lock of the app that reads these flags',
      },
    );
  }
  if (layout === '2.x' && !has2) {
    throw new CliError(
      `gem ${explicit?.releases} keeps its features in ${JSON.stringify(`${gem.prefix}feature:__features__`)}, and ${shownFrom} has only gem 0.x/1.x keys (feature:NAME:percentage|users|groups)`,
      EXIT.USAGE,
      { hint: 'import them with --gem-version 1.2.0 (or the 1.x version the app ran)' },
    );
  }
  if (layout === '2.x' && has1) {
    warnings.push(
      `also found ${gem.legacy.size} feature(s) in the gem 1.x layout (feature:NAME:percentage|users|groups), not imported: a 2.x gem reads them only through Rollout::Legacy (migrate: true); to import them instead, pass --gem-version 1.2.0`,
    );
  }
  const dataField = layout === '2.x' && hasDataField(gem);
  let era: GemEra;
  let releases: string;
  let basis: string;
  if (explicit) {
    ({ era, releases, basis } = explicit);
    if (
      dataField &&
      choice.gemVersion !== undefined &&
      compareGemVersions(choice.gemVersion, DATA_FIELD_SINCE) < 0
    ) {
      warnings.push(
        `some records carry a data field, which gem ${DATA_FIELD_SINCE} and later write, yet --gem-version is ${choice.gemVersion}: check that this is the version that reads these flags now`,
      );
    }
  } else if (layout === '1.x') {
    era = GEM_ERAS[0] as GemEra;
    releases = era.releases;
    basis = 'detected: the gem 0.x/1.x key layout';
  } else {
    const withPercentage = featureWithPercentage(gem, layout);
    // A formula can only be told apart by the users it lets in: without a percentage anywhere it moves nobody.
    if (withPercentage !== undefined) {
      const candidates = GEM_ERAS.filter((e, i) => {
        // An era ends where the next begins; the newest one has no end.
        const end = GEM_ERAS[i + 1]?.first;
        const late = end === undefined || compareGemVersions(end, DATA_FIELD_SINCE) > 0;
        return (
          e.layout === '2.x' &&
          (!randomized || e.randomizedHashVersion !== undefined) &&
          (!dataField || late)
        );
      });
      const evidence = dataField
        ? `; its records carry the data field, so gem ${DATA_FIELD_SINCE} or later wrote them`
        : '';
      throw usageError(
        `cannot tell which rollout gem version reads ${shownFrom}: the gem changed its percentage formula between releases and ${JSON.stringify(withPercentage)} has a percentage${evidence}. Pass --gem-version.`,
        erasHint(candidates),
      );
    }
    era = LATEST_ERA;
    releases = era.releases;
    basis =
      'no feature has a percentage, so no gem formula moves anyone; new percentages use the current gem formula';
  }
  if (layout === '1.x' && !explicit)
    warnings.push(
      'gem 0.1.0 – 0.2.0 used the same keys with user.id % (100 / percentage) == 0, which cannot be imported; this assumes gem 0.2.1 – 1.2.0',
    );
  const hashVersion = hashVersionOf(era, randomized, choice.gemVersion ?? releases);
  return {
    layout,
    bucketing: { hashVersion, truncates: era.truncates, releases },
    basis,
    warnings,
  };
}
