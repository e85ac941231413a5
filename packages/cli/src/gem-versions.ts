import { hashVersion } from '@rollout/core';
import { usageError } from './cli-error.js';

/**
 * Which rollout gem (FetLife/rollout) releases stored and bucketed features how.
 * Read off the gem's history (`user_in_percentage?` in lib/rollout.rb, later
 * lib/rollout/feature.rb, at each tag); the hash versions are specified in
 * `@rollout/core`'s gem-hash.ts.
 */
export interface GemEra {
  /** The releases, as a person reads them ("2.3.0 – 2.4.1"). */
  releases: string;
  /** The first release of the era; an era lasts until the next one's first. */
  first: string;
  /** Where the data lives: 1.x keeps one key per gate, 2.x one string per feature. */
  layout: '1.x' | '2.x';
  /** The hash version of the gem's default formula. */
  hashVersion: number;
  /** The hash version with `randomize_percentage: true`; undefined when the gem had no such option. */
  randomizedHashVersion: number | undefined;
  /** Whether the gem read the stored percentage with `String#to_i` (until 2.2.4) rather than `to_f`. */
  truncates: boolean;
}

/** Gem 0.1.0 – 0.2.0 enabled `user.id % (100 / percentage.to_i) == 0`: not a percentage, no hash version. */
const FIRST_SUPPORTED = '0.2.1';

/** Oldest first. */
export const GEM_ERAS: readonly GemEra[] = [
  // a8131a1: user.id % 100 < percentage.to_i, keys feature:NAME:percentage|users|groups.
  {
    releases: '0.2.1 – 1.2.0',
    first: '0.2.1',
    layout: '1.x',
    hashVersion: 8,
    randomizedHashVersion: undefined,
    truncates: true,
  },
  // 50a0908: one "percentage|users|groups" string per feature, same user.id % 100. These two
  // prereleases also read the users list with to_i (a non-numeric entry matched id 0): not reproduced.
  {
    releases: '2.0.0a – 2.0.0b',
    first: '2.0.0a',
    layout: '2.x',
    hashVersion: 8,
    randomizedHashVersion: undefined,
    truncates: true,
  },
  // 8e6c8c8: Zlib.crc32(id.to_s) % 100 < raw_percentage.to_i.
  {
    releases: '2.0.0c – 2.1.0',
    first: '2.0.0c',
    layout: '2.x',
    hashVersion: 4,
    randomizedHashVersion: undefined,
    truncates: true,
  },
  // 9794995: the randomize_percentage option (crc32 of id + feature name).
  {
    releases: '2.2.0 – 2.2.4',
    first: '2.2.0',
    layout: '2.x',
    hashVersion: 4,
    randomizedHashVersion: 5,
    truncates: true,
  },
  // ac5f55b: percentage read with to_f, crc32 % 100_000 < percentage * 1_000.
  {
    releases: '2.3.0 – 2.4.1',
    first: '2.3.0',
    layout: '2.x',
    hashVersion: 6,
    randomizedHashVersion: 7,
    truncates: false,
  },
  // 2ea66a6: crc32 < RAND_BASE * percentage; unchanged up to the gem's HEAD (2.6.x).
  {
    releases: '2.4.2 and later',
    first: '2.4.2',
    layout: '2.x',
    hashVersion: 2,
    randomizedHashVersion: 3,
    truncates: false,
  },
];

/** The newest era: what the gem does today. */
export const LATEST_ERA = GEM_ERAS[GEM_ERAS.length - 1] as GemEra;

/** The first release whose records carry the JSON data field (0da86dd). */
export const DATA_FIELD_SINCE = '2.4.0';

/** Sort key of a gem version: "2.0.0a" (a RubyGems prerelease) sorts before "2.0.0". */
function versionKey(version: string): [number, number, number, string] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)([a-z][a-z0-9]*)?$/.exec(version);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? '~'];
}

/** Orders two versions that {@link versionKey} accepts. */
export function compareGemVersions(a: string, b: string): number {
  const ka = versionKey(a) as [number, number, number, string];
  const kb = versionKey(b) as [number, number, number, string];
  for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
  return ka[3] < kb[3] ? -1 : ka[3] > kb[3] ? 1 : 0;
}

/** A usage error's hint: every era, its formula, and the option to pass. */
export function erasHint(eras: readonly GemEra[] = GEM_ERAS): string {
  const lines = eras.map((era) => {
    const randomized =
      era.randomizedHashVersion === undefined
        ? ''
        : `; with --randomize-percentage: ${formulaOf(era.randomizedHashVersion)}`;
    return `  --gem-version ${era.first.padEnd(6)} gem ${era.releases}: ${formulaOf(era.hashVersion)}${randomized}`;
  });
  return [
    'pass the version from the Gemfile.lock of the app that reads these flags, and --randomize-percentage if it called Rollout.new(redis, randomize_percentage: true) (Redis does not record that):',
    ...lines,
  ].join('\n');
}

/** The gem formula of a hash version, as its description says it. */
export function formulaOf(version: number): string {
  const description = hashVersion(version)?.description ?? `hash version ${version}`;
  return description.replace(/^[^:]*: /, '');
}

/** The era of `--gem-version X.Y.Z`; a usage error for a version no era covers. */
export function eraOf(version: string): GemEra {
  if (!versionKey(version)) {
    throw usageError(
      `--gem-version ${JSON.stringify(version)} is not a gem version (X.Y.Z, as in Gemfile.lock)`,
      erasHint(),
    );
  }
  if (compareGemVersions(version, FIRST_SUPPORTED) < 0) {
    throw usageError(
      `rollout gem ${version} enabled user.id % (100 / percentage) == 0, which is not a percentage of users; import-gem cannot reproduce it`,
      'upgrade the gem to 0.2.1 or later (same keys, user.id % 100 < percentage) and import with that version',
    );
  }
  let found = GEM_ERAS[0] as GemEra;
  for (const era of GEM_ERAS) if (compareGemVersions(version, era.first) >= 0) found = era;
  return found;
}

/**
 * The hash version an era uses with or without `randomize_percentage`; a usage
 * error when it had no such option. `releases` names the gem in that error.
 */
export function hashVersionOf(era: GemEra, randomized: boolean, releases: string): number {
  if (!randomized) return era.hashVersion;
  if (era.randomizedHashVersion === undefined) {
    throw usageError(
      `rollout gem ${releases} had no randomize_percentage option (it came in 2.2.0): drop --randomize-percentage`,
    );
  }
  return era.randomizedHashVersion;
}
