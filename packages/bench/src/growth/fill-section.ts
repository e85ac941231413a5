import { featureFromInput } from '@rollout/core';
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
  /** Wall time of the fill (median of the repeats). */
  fillMs: number;
  msPerPut: number;
  /** CPU time of this (the client) process during the fill: less sensitive to a busy machine. */
  cpuMs: number;
  repeats: number;
}

/** Sizes below this are filled 3 times (median reported): a short fill is noisy. */
const REPEAT_BELOW = 5_000;

/**
 * Filling an empty namespace with N features, one `store.put` after another (as an admin
 * tool adds them), per server store. Linear means the cost of one write does not grow with
 * the features already stored; memcache is held to 10× the features in ≤ 12× the time.
 */
export async function runFillSection(
  report: Report,
  budget: Budget,
  catalog: Catalog,
): Promise<{ store: string; ratio: number; meetsTarget: boolean }[]> {
  const results: FillResult[] = [];
  const now = new Date().toISOString();
  for (const target of catalog.stores.filter((s) => s.server)) {
    // Warm up code paths and connections in a namespace of its own, so the smallest
    // fill is not the one that pays for them.
    const warm = target.create(target.freshOptions());
    for (const f of realisticFeatures(1_000, 7)) await warm.put(featureFromInput(f, now), 0);
    await warm.close();
    for (const count of budget.fillCounts) {
      report.note(`  fill: ${count} features into ${target.key}`);
      const features = realisticFeatures(count).map((f) => featureFromInput(f, now));
      const repeats = count < REPEAT_BELOW ? 3 : 1;
      const runs: { wall: number; cpu: number }[] = [];
      for (let r = 0; r < repeats; r++) {
        const store = target.create(target.freshOptions());
        await store.connect();
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (const f of features) await store.put(f, 0);
        const c = process.cpuUsage(c0);
        runs.push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
        await store.close();
      }
      runs.sort((a, b) => a.wall - b.wall);
      const mid = runs[Math.floor(runs.length / 2)] as { wall: number; cpu: number };
      results.push({
        store: target.key,
        features: count,
        fillMs: mid.wall,
        msPerPut: mid.wall / count,
        cpuMs: mid.cpu,
        repeats,
      });
    }
  }
  const [small = 0, large = 0] = [budget.fillCounts[0], budget.fillCounts.at(-1)];
  const verdicts = [...new Set(results.map((r) => r.store))].map((store) => {
    const a = results.find((r) => r.store === store && r.features === small);
    const b = results.find((r) => r.store === store && r.features === large);
    const ratio = a && b ? b.fillMs / a.fillMs : Number.NaN;
    return { store, ratio, meetsTarget: ratio <= (LINEAR_LIMIT * large) / small / 10 };
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
    `one after another (sizes under ${formatNumber(REPEAT_BELOW)}: median of 3 fills). A write that costs`,
    'the same however many features are stored makes this linear:',
    `${formatNumber(large / small)}× the features in about ${formatNumber(large / small)}× the time. memcache keeps its index in 256 shards and`,
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
