import { type Feature, featureFromInput, Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import type { Budget } from '../budget.js';
import { type BenchUser, makeUsers } from '../evaluation/fixtures.js';
import { fullGc, timeRounds } from '../harness/measure.js';
import type { Report } from '../harness/report.js';
import { formatNs, renderTable } from '../harness/table.js';

/**
 * Probe flags spread over the snapshot; each timed call cycles through them. The
 * same number at every size (no more than the smallest snapshot holds), so only the
 * snapshot's size differs between rows.
 */
const PROBES = 8;

/** `count` features, each a 20 % rollout with a `plan == vip` rule (what the probes evaluate). */
function fillerFeatures(count: number): Feature[] {
  const now = new Date().toISOString();
  const out: Feature[] = [];
  for (let i = 0; i < count; i++) {
    const f = featureFromInput(
      {
        name: `feature-${i}`,
        percentage: 20,
        rules: [{ attribute: 'plan', operator: 'eq', values: ['vip'] }],
      },
      now,
    );
    f.version = 1;
    out.push(f);
  }
  return out;
}

/** Evaluation time as the snapshot grows from 10 to 100,000 features: it should stay flat. */
export async function runFeatureCountSection(report: Report, budget: Budget): Promise<void> {
  const users = makeUsers(1000);
  const rows: { features: number; nsPerEval: number; loadMs: number }[] = [];
  const clients: {
    count: number;
    rollout: Rollout<BenchUser>;
    loadMs: number;
    body: () => number;
  }[] = [];
  // Every size is loaded first and then timed in rounds, side by side.
  for (const count of budget.featureCounts) {
    report.note(`  growth: loading ${count} features`);
    const store = new MemoryStore({ features: fillerFeatures(count) });
    const t0 = performance.now();
    const rollout = new Rollout<BenchUser>({ store });
    await rollout.ready();
    const loadMs = performance.now() - t0;
    const step = Math.max(1, Math.floor(count / PROBES));
    const names = Array.from({ length: Math.min(PROBES, count) }, (_, k) => `feature-${k * step}`);
    const mask = names.length;
    const body = () => {
      let on = 0;
      for (let i = 0; i < users.length; i++) {
        if (rollout.can(users[i] as BenchUser, names[i % mask] as string)) on++;
      }
      return on;
    };
    clients.push({ count, rollout, loadMs, body });
  }
  report.note('  growth: timing');
  const timings = await timeRounds(
    clients.map((c) => ({ body: c.body, evalsPerCall: users.length })),
    budget.timing,
  );
  clients.forEach((c, i) => {
    rows.push({
      features: c.count,
      nsPerEval: (timings[i] as { nsPerEval: number }).nsPerEval,
      loadMs: c.loadMs,
    });
  });
  for (const c of clients) await c.rollout.close();
  clients.length = 0;
  fullGc();
  const first = rows[0]?.nsPerEval ?? Number.NaN;
  const table = renderTable(
    [
      { title: 'features in snapshot', align: 'right' },
      { title: 'can() ns/eval (median)', align: 'right' },
      { title: '× 10 features', align: 'right' },
    ],
    rows.map((r) => [r.features, formatNs(r.nsPerEval), `${(r.nsPerEval / first).toFixed(2)}×`]),
  );
  const text = [
    `Each timed call evaluates ${users.length} users against ${PROBES} different flags spread over the`,
    'snapshot (20 % rollout + a rule each). A flag is one Map lookup by name, so the cost stays flat;',
    'what rises slowly with size is cache misses in a larger Map, not work per flag.',
    '',
    table,
  ].join('\n');
  report.add('featureCount', 'Evaluation time vs features in the snapshot', text, rows);
}
