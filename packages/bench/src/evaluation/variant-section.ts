import type { Budget } from '../budget.js';
import { bytesPerEval, type Timing, timeRounds } from '../harness/measure.js';
import type { Report } from '../harness/report.js';
import { formatBytes, formatNs, renderTable } from '../harness/table.js';
import { type BenchUser, makeUsers } from './fixtures.js';
import {
  checkSplit,
  createVariantSystems,
  VARIANTS,
  type VariantSystem,
} from './variant-systems.js';

/**
 * The targets for `variant`: at least 10× the fastest peer, at most 2× the plain-JS
 * baseline (issue 11), at most 1.5× the generic engine (issue 19), nothing allocated
 * (below 0.1 B/eval, as in the evaluation section).
 */
export const VARIANT_TARGETS = {
  peerSpeedup: 10,
  baselineRatio: 2,
  engineRatio: 1.5,
  bytesNoise: 0.1,
} as const;

/** One system's result in the variant-3way scenario. */
export interface VariantResultRow {
  system: string;
  role: VariantSystem['role'];
  async: boolean;
  correct: boolean;
  check: string;
  nsPerEval?: number;
  p99NsPerEval?: number;
  bytesPerEval?: number;
}

/** The verdict for rollout's `variant()` (the first "ours" system). */
export interface VariantVerdict {
  scenario: 'variant-3way';
  ns: number;
  baselineNs: number;
  engineNs: number;
  fastestPeer: string;
  fastestPeerNs: number;
  baselineRatio: number;
  /** variant() ÷ the generic-engine baseline (issue 19). */
  engineRatio: number;
  peerSpeedup: number;
  bytes: number;
  meetsTarget: boolean;
  misses: string[];
}

/** The variant-3way scenario: one flag on for everyone, values split 50/30/20 over 10,000 users. */
export async function runVariantSection(report: Report, budget: Budget): Promise<VariantVerdict> {
  const users: BenchUser[] = makeUsers();
  const systems = await createVariantSystems();
  report.note(`  evaluation: variant-3way (${users.length} users per timed call)`);
  const rows: VariantResultRow[] = [];
  const timed: { row: VariantResultRow; body: () => unknown }[] = [];
  for (const sys of systems) {
    const answers = await sys.answers(users);
    const { correct, check } = checkSplit(answers);
    const row: VariantResultRow = {
      system: sys.name,
      role: sys.role,
      async: sys.async,
      correct,
      check,
    };
    rows.push(row);
    if (!correct) {
      report.note(`    ${sys.name}: WRONG ANSWERS, not timed: ${check}`);
      continue;
    }
    const body = sys.body(users);
    const first = body();
    const count = first instanceof Promise ? await first : first;
    const expected = answers.filter((a) => a === VARIANTS[0].value).length;
    if (count !== expected)
      throw new Error(`${sys.name}: timed loop counted ${count}, check saw ${expected}`);
    timed.push({ row, body });
  }
  const timings = await timeRounds(
    timed.map((t) => ({ body: t.body, evalsPerCall: users.length })),
    budget.timing,
  );
  for (let i = 0; i < timed.length; i++) {
    const { row, body } = timed[i] as (typeof timed)[number];
    const t = timings[i] as Timing;
    row.nsPerEval = t.nsPerEval;
    row.p99NsPerEval = t.p99NsPerEval;
    row.bytesPerEval = await bytesPerEval(body, users.length, budget.timing.allocRounds);
  }
  for (const sys of systems) await sys.close();
  const verdict = verdictOf(rows);
  const table = renderTable(
    [
      { title: 'system' },
      { title: 'ns/eval (median)', align: 'right' },
      { title: 'p99', align: 'right' },
      { title: '× baseline', align: 'right' },
      { title: '× engine', align: 'right' },
      { title: '× fastest peer', align: 'right' },
      { title: 'bytes/eval', align: 'right' },
      { title: 'split' },
    ],
    rows.map((r) => [
      `${r.system}${r.async ? ' (await)' : ''}`,
      r.nsPerEval === undefined ? 'not timed' : formatNs(r.nsPerEval),
      r.p99NsPerEval === undefined ? '' : formatNs(r.p99NsPerEval),
      r.nsPerEval === undefined ? '' : `${(r.nsPerEval / verdict.baselineNs).toFixed(2)}×`,
      r.nsPerEval === undefined ? '' : `${(r.nsPerEval / verdict.engineNs).toFixed(2)}×`,
      r.nsPerEval === undefined ? '' : `${(r.nsPerEval / verdict.fastestPeerNs).toFixed(3)}×`,
      r.bytesPerEval === undefined ? '' : formatBytes(r.bytesPerEval),
      r.correct ? `ok: ${r.check}` : `WRONG: ${r.check}`,
    ]),
  );
  const text = [
    'variant-3way: one flag, on for everyone, three string values split 50/30/20; each timed call',
    'evaluates it for all 10,000 users (each system checked first: every share within 1.5 points).',
    `Targets for rollout variant(): ≥ ${VARIANT_TARGETS.peerSpeedup}× the fastest peer, ≤ ${VARIANT_TARGETS.baselineRatio}× the plain-JS baseline, ≤ ${VARIANT_TARGETS.engineRatio}× the generic engine (a \`Map\` lookup, a switch on the gate kind, the same variant hashing), 0 bytes/eval.`,
    `Result: ${formatNs(verdict.ns)}/eval, ${verdict.peerSpeedup.toFixed(1)}× faster than ${verdict.fastestPeer}, ${verdict.baselineRatio.toFixed(2)}× the baseline, ${verdict.engineRatio.toFixed(2)}× the engine, ${formatBytes(verdict.bytes)}/eval: ${verdict.meetsTarget ? 'target met' : `MISSED: ${verdict.misses.join(', ')}`}.`,
    '',
    table,
  ].join('\n');
  report.add('variants', 'Variants against peers (variant-3way)', text, {
    rows,
    verdict,
    targets: VARIANT_TARGETS,
  });
  return verdict;
}

function verdictOf(rows: VariantResultRow[]): VariantVerdict {
  const timed = rows.filter((r) => r.nsPerEval !== undefined);
  const ours = timed.find((r) => r.role === 'ours');
  const base = timed.find((r) => r.role === 'baseline');
  const engine = timed.find((r) => r.role === 'engine');
  const fastest = timed
    .filter((r) => r.role === 'peer')
    .sort((a, b) => (a.nsPerEval ?? 0) - (b.nsPerEval ?? 0))[0];
  const ns = ours?.nsPerEval ?? Number.NaN;
  const baselineNs = base?.nsPerEval ?? Number.NaN;
  const engineNs = engine?.nsPerEval ?? Number.NaN;
  const fastestPeerNs = fastest?.nsPerEval ?? Number.NaN;
  const bytes = ours?.bytesPerEval ?? Number.NaN;
  const misses: string[] = [];
  if (!ours?.correct) misses.push('variant() split wrong');
  if (!(fastestPeerNs / ns >= VARIANT_TARGETS.peerSpeedup))
    misses.push(`only ${(fastestPeerNs / ns).toFixed(1)}× faster than ${fastest?.system}`);
  if (!(ns / baselineNs <= VARIANT_TARGETS.baselineRatio))
    misses.push(`${(ns / baselineNs).toFixed(2)}× the baseline`);
  if (!(ns / engineNs <= VARIANT_TARGETS.engineRatio))
    misses.push(`${(ns / engineNs).toFixed(2)}× the engine`);
  if (!(bytes < VARIANT_TARGETS.bytesNoise)) misses.push(`${formatBytes(bytes)}/eval allocated`);
  return {
    scenario: 'variant-3way',
    ns,
    baselineNs,
    engineNs,
    fastestPeer: fastest?.system ?? 'none',
    fastestPeerNs,
    baselineRatio: ns / baselineNs,
    engineRatio: ns / engineNs,
    peerSpeedup: fastestPeerNs / ns,
    bytes,
    meetsTarget: misses.length === 0,
    misses,
  };
}
