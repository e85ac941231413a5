import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { Rollout } from '@rollout/core';
import { FileStore } from '@rollout/store-file';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout, rolloutJson } from './run-cli.js';

// Every released gem formula, laid out in Redis as that gem version writes it, imported
// with --gem-version, then checked user by user against the formula written out here
// from the gem's source at that tag (FetLife/rollout), independently of @rollout/core.

/** The percentages the issue asks for; stored as each gem wrote them. */
const PERCENTAGES = [0, 0.5, 20, 33.3, 99.9, 100];
const IDS = 10_000;

const RAND_BASE = (2 ** 32 - 1) / 100.0;
const crc = (text: string) => zlib.crc32(text) >>> 0;
/** Ruby's String#to_i and #to_f for the percentage strings written here. */
const toI = (text: string) => Math.trunc(Number.parseFloat(text) || 0);
const toF = (text: string) => Number.parseFloat(text) || 0;
/** Ruby's Float#to_s as gem >= 2.3 writes a percentage it read with to_f: 20.0, 0.5. */
const floatText = (p: number) => (Number.isInteger(p) ? `${p}.0` : String(p));

interface Row {
  /** --gem-version (and --randomize-percentage). */
  version: string;
  randomized: boolean;
  layout: '1.x' | '2.x';
  /** How this gem writes the percentage it was given (activate_percentage's last write). */
  written: (p: number) => string;
  /** Whether this gem writes the 4th (data) field. */
  dataField: boolean;
  hashVersion: number;
  /** The gem's user_in_percentage? for an id (already `to_s`) of feature `name`, stored percentage `text`. */
  inPercentage: (id: string, name: string, text: string) => boolean;
  /** Ids the app passes: the 1.x formula needs Integer ids. */
  ids: (i: number) => (string | number)[];
}

const numberAndString = (i: number) => [i, `user-${i}`];
const integerIds = (i: number) => [i, String(i), -i];
/** Ruby's floored Integer#%. */
const rubyMod100 = (n: number) => ((n % 100) + 100) % 100;

const ROWS: Row[] = [
  {
    // lib/rollout/feature.rb at HEAD (RAND_BASE since 2ea66a6, 2.4.2).
    version: '2.6.0',
    randomized: false,
    layout: '2.x',
    written: floatText,
    dataField: true,
    hashVersion: 2,
    inPercentage: (id, _n, p) => crc(id) < RAND_BASE * toF(p),
    ids: numberAndString,
  },
  {
    version: '2.4.2',
    randomized: true,
    layout: '2.x',
    written: floatText,
    dataField: true,
    hashVersion: 3,
    inPercentage: (id, name, p) => crc(id + name) < RAND_BASE * toF(p),
    ids: numberAndString,
  },
  {
    // v2.4.1:lib/rollout.rb (ac5f55b): % 100_000 < @percentage * 1_000, data field since 2.4.0.
    version: '2.4.1',
    randomized: false,
    layout: '2.x',
    written: floatText,
    dataField: true,
    hashVersion: 6,
    inPercentage: (id, _n, p) => crc(id) % 100_000 < toF(p) * 1_000,
    ids: numberAndString,
  },
  {
    version: '2.3.0',
    randomized: true,
    layout: '2.x',
    written: floatText,
    dataField: false,
    hashVersion: 7,
    inPercentage: (id, name, p) => crc(id + name) % 100_000 < toF(p) * 1_000,
    ids: numberAndString,
  },
  {
    // v2.2.1:lib/rollout.rb (9794995): randomize_percentage, raw_percentage.to_i.
    version: '2.2.4',
    randomized: true,
    layout: '2.x',
    written: String,
    dataField: false,
    hashVersion: 5,
    inPercentage: (id, name, p) => crc(id + name) % 100 < toI(p),
    ids: numberAndString,
  },
  {
    version: '2.2.1',
    randomized: false,
    layout: '2.x',
    written: String,
    dataField: false,
    hashVersion: 4,
    inPercentage: (id, _n, p) => crc(id) % 100 < toI(p),
    ids: numberAndString,
  },
  {
    // v2.0.0:lib/rollout.rb (8e6c8c8): Zlib.crc32(user.id.to_s) % 100 < @percentage (to_i).
    version: '2.0.0',
    randomized: false,
    layout: '2.x',
    written: String,
    dataField: false,
    hashVersion: 4,
    inPercentage: (id, _n, p) => crc(id) % 100 < toI(p),
    ids: numberAndString,
  },
  {
    // v2.0.0b:lib/rollout.rb: user.id % 100 < @percentage, the 2.x layout already.
    version: '2.0.0b',
    randomized: false,
    layout: '2.x',
    written: String,
    dataField: false,
    hashVersion: 8,
    inPercentage: (id, _n, p) => rubyMod100(Number(id)) < toI(p),
    ids: integerIds,
  },
  {
    // v1.2.0:lib/rollout.rb: user.id % 100 < percentage.to_i, one key per gate.
    version: '1.2.0',
    randomized: false,
    layout: '1.x',
    written: String,
    dataField: false,
    hashVersion: 8,
    inPercentage: (id, _n, p) => rubyMod100(Number(id)) < toI(p),
    ids: integerIds,
  },
];

/** The features each gem gets: one per percentage, plus listed users and the group all. */
interface GemFeature {
  name: string;
  percentage: number;
  users: string[];
  groups: string[];
}

const FEATURES: GemFeature[] = [
  ...PERCENTAGES.map((p, i) => ({
    name: `pct_${String(p).replace('.', '_')}`,
    percentage: p,
    // Numeric entries only: 2.0.0a/b read the users list with to_i too ('alice' matched id 0).
    users: i === 1 ? ['7', '12345'] : [],
    groups: i === 2 ? ['vip'] : [],
  })),
  { name: 'everyone', percentage: 0, users: [], groups: ['all'] },
];

let server: RedisServer;
let redis: Redis;
const dir = mkdtempSync(join(tmpdir(), 'rollout-gem-versions-'));

/** Writes FEATURES under `prefix` exactly as gem `row.version` stores them. */
async function layOut(row: Row, prefix: string): Promise<void> {
  for (const f of FEATURES) {
    const text = row.written(f.percentage);
    if (row.layout === '1.x') {
      // Rollout#activate_percentage: @redis.set(percentage_key, percentage); users/groups are sets.
      if (f.percentage > 0) await redis.set(`${prefix}feature:${f.name}:percentage`, text);
      if (f.users.length > 0) await redis.sadd(`${prefix}feature:${f.name}:users`, ...f.users);
      if (f.groups.length > 0) await redis.sadd(`${prefix}feature:${f.name}:groups`, ...f.groups);
    } else {
      // Feature#serialize: "#{@percentage}|#{@users.join(",")}|#{@groups.join(",")}[|#{data.to_json}]".
      const fields = [text, f.users.join(','), f.groups.join(',')];
      if (row.dataField) fields.push('{}');
      await redis.set(`${prefix}feature:${f.name}`, fields.join('|'));
    }
  }
  if (row.layout === '2.x') {
    await redis.set(`${prefix}feature:__features__`, FEATURES.map((f) => f.name).join(','));
  }
}

/** Rollout::Feature#active? (Rollout#active? in 1.x) with only the built-in group all. */
function gemActive(row: Row, f: GemFeature, id: string): boolean {
  return (
    row.inPercentage(id, f.name, row.written(f.percentage)) ||
    f.users.includes(id) ||
    f.groups.includes('all')
  );
}

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  for (const [i, row] of ROWS.entries()) await layOut(row, `row${i}:`);
});

afterAll(async () => {
  await redis?.quit();
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('rollout import-gem --gem-version: every released formula keeps exactly its users', () => {
  for (const [i, row] of ROWS.entries()) {
    const label = `gem ${row.version}${row.randomized ? ' with randomize_percentage' : ''} (${row.layout} layout, hash version ${row.hashVersion})`;
    it(label, async () => {
      const path = join(dir, `row${i}.json`);
      const args = ['import-gem', '--from', `${server.url}/0?prefix=row${i}:`];
      args.push('--gem-version', row.version, '--store', `file:${path}`);
      if (row.randomized) args.push('--randomize-percentage');
      const report = await rolloutJson<{ created: number; hashVersion: number; layout: string }>(
        args,
      );
      expect(report).toMatchObject({
        // In 1.x a feature with no key at all (pct_0 here) does not exist: off either way.
        created: row.layout === '1.x' ? FEATURES.length - 1 : FEATURES.length,
        hashVersion: row.hashVersion,
        layout: row.layout,
      });

      const client = new Rollout({ store: new FileStore({ path }) });
      await client.ready();
      try {
        for (const f of FEATURES) {
          let on = 0;
          for (let n = 0; n < IDS; n++) {
            for (const id of row.ids(n)) {
              const expected = gemActive(row, f, String(id));
              const actual = client.can({ id }, f.name);
              if (actual !== expected) {
                throw new Error(
                  `${f.name} / id ${JSON.stringify(id)}: gem ${row.version} says ${expected}, rollout says ${actual}`,
                );
              }
              if (actual) on++;
            }
          }
          const total = IDS * row.ids(0).length;
          if (f.percentage === 100) expect(on, f.name).toBe(total);
          if (f.name === 'everyone') expect(on).toBe(total);
          if (f.percentage === 20) expect(on / total, f.name).toBeGreaterThan(0.15);
          if (f.percentage === 20) expect(on / total, f.name).toBeLessThan(0.25);
        }
      } finally {
        await client.close();
      }
    });
  }
});

describe('rollout import-gem without --gem-version', () => {
  it('refuses to guess when a feature has a percentage, listing the versions and options', async () => {
    const path = join(dir, 'refused.json');
    // Row 0 has records with the data field: only 2.3.0 – 2.4.1 and 2.4.2+ remain.
    const run = await rollout([
      'import-gem',
      '--from',
      `${server.url}/0?prefix=row0:`,
      '--store',
      `file:${path}`,
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('cannot tell which rollout gem version reads');
    expect(run.stderr).toContain('gem 2.4.0 or later wrote them');
    expect(run.stderr).toContain('--randomize-percentage');
    expect(run.stderr).toContain('--gem-version 2.3.0  gem 2.3.0 – 2.4.1');
    expect(run.stderr).toContain('--gem-version 2.4.2  gem 2.4.2 and later');
    expect(run.stderr).not.toContain('gem 2.2.0 – 2.2.4');
    expect((await rolloutJson<unknown[]>(['list', '--store', `file:${path}`])).length).toBe(0);

    // Row 5 (3 fields, gem 2.2.1): every 2.x formula is a candidate.
    const older = await rollout([
      'import-gem',
      '--from',
      `${server.url}/0?prefix=row5:`,
      '--store',
      `file:${path}`,
    ]);
    expect(older.code).toBe(2);
    for (const line of ['2.0.0a', '2.0.0c', '2.2.0', '2.3.0', '2.4.2'])
      expect(older.stderr).toContain(`--gem-version ${line}`);
  });

  it('detects the 1.x layout, and imports a 2.x Redis without any percentage', async () => {
    const path = join(dir, 'detected.json');
    const legacy = await rolloutJson<{ hashVersion: number; layout: string; basis: string }>([
      'import-gem',
      '--from',
      `${server.url}/0?prefix=row8:`,
      '--store',
      `file:${path}`,
    ]);
    expect(legacy).toMatchObject({ hashVersion: 8, layout: '1.x' });
    expect(legacy.basis).toContain('detected');

    await redis.select(1);
    await redis.set('feature:__features__', 'a,b');
    await redis.set('feature:a', '0.0|1,2||{}');
    await redis.set('feature:b', '0|||');
    const none = await rolloutJson<{ hashVersion: number; created: number }>([
      'import-gem',
      '--from',
      `${server.url}/1`,
      '--store',
      `file:${join(dir, 'no-percentage.json')}`,
    ]);
    expect(none).toMatchObject({ hashVersion: 2, created: 2 });
  });

  it('--dry-run shows the formula of each feature; contradictory options are refused', async () => {
    const path = join(dir, 'dry.json');
    const dry = await rollout([
      'import-gem',
      '--from',
      `${server.url}/0?prefix=row5:`,
      '--gem-version',
      '2.2.1',
      '--dry-run',
      '--store',
      `file:${path}`,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    const formula = '      formula: hash version 4: Zlib.crc32(id) % 100 < percentage';
    expect(dry.stdout.split('\n').filter((l) => l === formula).length).toBe(FEATURES.length);
    expect(dry.stderr).toContain(
      'pct_33_3: percentage "33.3" is read by gem 2.2.0 – 2.2.4 with to_i: imported as 33',
    );

    const cases: [string[], RegExp][] = [
      [['--gem-version', '2.1.0', '--randomize-percentage'], /had no randomize_percentage/],
      [['--gem-version', '0.2.0'], /not a percentage of users/],
      [['--gem-version', 'latest'], /is not a gem version/],
      [['--gem-version', '2.4.6', '--bucketing', 'modulo'], /pass only --gem-version/],
    ];
    for (const [extra, message] of cases) {
      const run = await rollout([
        'import-gem',
        '--from',
        `${server.url}/0?prefix=row5:`,
        ...extra,
        '--store',
        `file:${path}`,
      ]);
      expect(run.code, extra.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    const wrongLayout = await rollout([
      'import-gem',
      '--from',
      `${server.url}/0?prefix=row5:`,
      '--gem-version',
      '1.2.0',
      '--store',
      `file:${path}`,
    ]);
    expect(wrongLayout.code).toBe(2);
    expect(wrongLayout.stderr).toContain('keeps feature:NAME:percentage|users|groups keys');
  });
});
