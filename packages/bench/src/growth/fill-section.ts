import { type Feature, type FeatureStore, featureFromInput } from '@rollout/core';
import type { Budget } from '../budget.js';
import type { Report } from '../harness/report.js';
import { formatNumber, renderTable } from '../harness/table.js';
import type { Catalog } from '../stores/catalog.js';
import { realisticFeatures } from '../stores/realistic-features.js';

/** 10× the features may take at most this many times as long (memcache's target: linear). */
const LINEAR_LIMIT = 12;

interface FillResult {
  store: string;
  features: number;
  /** Wall time of the fill (the smaller size: median of its fills). */
  fillMs: number;
  msPerPut: number;
  /** CPU time of this (the client) process during the fill: less sensitive to a busy machine. */
  cpuMs: number;
  /** Fills measured (the smaller size is filled once per slice of the larger). */
  repeats: number;
}

/** Puts `features` into `store` one after another; wall and CPU time, ms. */
async function timePuts(store: FeatureStore, features: readonly Feature[]) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const f of features) await store.put(f, 0);
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/**
 * Filling an empty namespace with N features, one `store.put` after another (as an admin
 * tool adds them), per server store and SQLite. Linear means the cost of one write does not grow with
 * the features already stored; memcache is held to 10× the features in ≤ 12× the time.
 * The large fill runs in slices the size of the small one, and a small fill into a fresh
 * namespace runs after each slice: both sizes see the same machine load, which on a busy
 * machine otherwise decides the ratio more than the store does.
 */
export async function runFillSection(
  report: Report,
  budget: Budget,
  catalog: Catalog,
): Promise<{ store: string; ratio: number; meetsTarget: boolean }[]> {
  const results: FillResult[] = [];
  const now = new Date().toISOString();
  const small = budget.fillCounts[0] ?? 1_000;
  const large = budget.fillCounts.at(-1) ?? 10_000;
  const slices = Math.max(1, Math.round(large / small));
  const features = realisticFeatures(slices * small).map((f) => featureFromInput(f, now));
  // SQLite too: a database filled by puts like the server stores. Not the file store, whose
  // every put rewrites the whole file (its snapshot section writes the file directly).
  for (const target of catalog.stores.filter((s) => s.server || s.key === 'sqlite')) {
    report.note(`  fill: ${small} and ${slices * small} features into ${target.key}`);
    // Warm up code paths and connections in a namespace of its own.
    const warm = target.create(target.freshOptions());
    await timePuts(
      warm,
      realisticFeatures(small, 7).map((f) => featureFromInput(f, now)),
    );
    await warm.close();
    const big = target.create(target.freshOptions());
    await big.connect();
    const largeRun = { wall: 0, cpu: 0 };
    const smallRuns: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < slices; i++) {
      const slice = await timePuts(big, features.slice(i * small, (i + 1) * small));
      largeRun.wall += slice.wall;
      largeRun.cpu += slice.cpu;
      const fresh = target.create(target.freshOptions());
      await fresh.connect();
      smallRuns.push(await timePuts(fresh, features.slice(0, small)));
      await fresh.close();
    }
    await big.close();
    smallRuns.sort((a, b) => a.wall - b.wall);
    const mid = smallRuns[Math.floor(smallRuns.length / 2)] as { wall: number; cpu: number };
    for (const [count, run, repeats] of [
      [small, mid, smallRuns.length],
      [slices * small, largeRun, 1],
    ] as const) {
      results.push({
        store: target.key,
        features: count,
        fillMs: run.wall,
        msPerPut: run.wall / count,
        cpuMs: run.cpu,
        repeats,
      });
    }
  }
  const verdicts = [...new Set(results.map((r) => r.store))].map((store) => {
    const a = results.find((r) => r.store === store && r.features === small);
    const b = results.find((r) => r.store === store && r.features === slices * small);
    const ratio = a && b ? b.fillMs / a.fillMs : Number.NaN;
    return { store, ratio, meetsTarget: ratio <= (LINEAR_LIMIT * slices) / 10 };
  });
  const table = renderTable(
    [
      { title: 'store' },
      { title: 'features', align: 'right' },
      { title: 'fill time', align: 'right' },
      { title: 'per put', align: 'right' },
      { title: `time ÷ time at ${formatNumber(small)}`, align: 'right' },
      { title: 'client CPU', align: 'right' },
      { title: `CPU ÷ CPU at ${formatNumber(small)}`, align: 'right' },
    ],
    results.map((r) => {
      const base = results.find((x) => x.store === r.store && x.features === small);
      return [
        r.store,
        r.features,
        `${formatNumber(r.fillMs / 1000)} s`,
        `${formatNumber(r.msPerPut)} ms`,
        base ? `${formatNumber(r.fillMs / base.fillMs)}×` : '',
        `${formatNumber(r.cpuMs / 1000)} s`,
        base ? `${formatNumber(r.cpuMs / base.cpuMs)}×` : '',
      ];
    }),
  );
  const memcache = verdicts.find((v) => v.store === 'memcache');
  const text = [
    `An empty namespace filled with realistic features (about 1 KB of JSON each) by \`store.put\`,`,
    `one after another. The ${formatNumber(slices * small)} run in ${slices} slices, each followed by a ${formatNumber(small)} fill of a fresh`,
    `namespace (the median of those is reported), so both sizes see the same machine load. A write that costs`,
    'the same however many features are stored makes this linear:',
    `${formatNumber(slices)}× the features in about ${formatNumber(slices)}× the time. memcache keeps its index in 256 shards and`,
    'a write swaps one, so it is held to 10× the features in ≤ 12× the time. Client CPU is shown',
    'too: on a busy machine it is steadier than wall time',
    memcache
      ? `(this run: ${formatNumber(memcache.ratio)}×, ${memcache.meetsTarget ? 'met' : 'MISSED'}).`
      : '(memcache not in this run).',
    '',
    table,
  ].join('\n');
  report.add('fill', 'Filling a store feature by feature', text, { results, verdicts });
  return verdicts;
}
