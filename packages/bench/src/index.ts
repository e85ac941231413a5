/**
 * `pnpm bench`: every benchmark of rollout in one run. Prints tables, writes JSON
 * to packages/bench/results/, and a Markdown copy of the tables (results/performance.md;
 * with BENCH_WRITE_PERFORMANCE=1 also packages/bench/PERFORMANCE.md).
 *
 * Environment: BENCH_QUICK=1 for a fast smoke run; BENCH_ONLY=evaluation,variants,growth,snapshot,activate,fill,stores,contention,http,middleware
 * to run some sections; BENCH_STORES=memory,file,redis,postgres,memcache to pick stores.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetFromEnv } from './budget.js';
import {
  type EvalVerdict,
  runEvaluationSection,
  TARGETS,
} from './evaluation/evaluation-section.js';
import { targetSummary } from './evaluation/target-summary.js';
import { runVariantSection } from './evaluation/variant-section.js';
import { runActivateUserSection } from './growth/activate-user-section.js';
import { runFeatureCountSection } from './growth/feature-count-section.js';
import { runFillSection } from './growth/fill-section.js';
import { runSnapshotSection } from './growth/snapshot-section.js';
import { describeMachine, peerVersions } from './harness/machine.js';
import { RESULTS_DIR, Report } from './harness/report.js';
import { formatNs } from './harness/table.js';
import { runHttpSection } from './http/http-section.js';
import { runRequestFlagsSection } from './middleware/request-flags-section.js';
import { openCatalog, type StoreKey } from './stores/catalog.js';
import { runContentionSection } from './stores/contention-section.js';
import { runStoreSection } from './stores/store-section.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL_SECTIONS = [
  'evaluation',
  'variants',
  'growth',
  'snapshot',
  'activate',
  'fill',
  'stores',
  'contention',
  'http',
  'middleware',
] as const;
const ALL_STORES: StoreKey[] = ['memory', 'file', 'redis', 'postgres', 'memcache', 'sqlite'];

function listFromEnv<T extends string>(value: string | undefined, all: readonly T[]): T[] {
  if (!value) return [...all];
  const wanted = value.split(',').map((s) => s.trim());
  for (const w of wanted)
    if (!all.includes(w as T))
      throw new Error(`unknown name ${w}; expected one of ${all.join(', ')}`);
  return all.filter((x) => wanted.includes(x));
}

async function main(): Promise<void> {
  const started = performance.now();
  const budget = budgetFromEnv();
  const sections = listFromEnv(process.env.BENCH_ONLY, ALL_SECTIONS);
  const machine = describeMachine();
  const versions = peerVersions(PACKAGE_DIR);
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    throw new Error(
      'run the bench with node --expose-gc (pnpm bench does): allocation is measured between full collections',
    );
  }
  const report = new Report();
  const header = [
    `rollout bench${budget.quick ? ' (BENCH_QUICK=1: short smoke run, numbers are rough)' : ''}`,
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memory}, ${machine.platform}, Node ${machine.node} (V8 ${machine.v8}), load average at start ${machine.loadAverage}`,
    `compared: ${Object.entries(versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ].join('\n');
  console.log(header);

  const verdicts = sections.includes('evaluation')
    ? await runEvaluationSection(report, budget)
    : [];
  const variantVerdict = sections.includes('variants')
    ? await runVariantSection(report, budget)
    : undefined;
  if (sections.includes('growth')) await runFeatureCountSection(report, budget);

  const needStores = sections.some(
    (s) =>
      s === 'snapshot' || s === 'activate' || s === 'fill' || s === 'stores' || s === 'contention',
  );
  if (needStores) {
    const catalog = await openCatalog(listFromEnv(process.env.BENCH_STORES, ALL_STORES));
    try {
      const skipped = catalog.skipped.map((s) => `- ${s.key}: skipped, ${s.reason}`).join('\n');
      report.add(
        'stores',
        'Stores in this run',
        `${catalog.stores.map((s) => s.key).join(', ') || 'none'}${skipped ? `\n${skipped}` : ''}`,
        { stores: catalog.stores.map((s) => s.key), skipped: catalog.skipped },
      );
      if (sections.includes('snapshot')) await runSnapshotSection(report, budget, catalog);
      if (sections.includes('activate')) await runActivateUserSection(report, budget, catalog);
      if (sections.includes('fill')) await runFillSection(report, budget, catalog);
      if (sections.includes('contention')) await runContentionSection(report, budget, catalog);
      if (sections.includes('stores')) {
        // The server stores of issues 3, 4 and 5, and the file store (watched, multi-process) too.
        for (const key of ['file', 'redis', 'postgres', 'memcache', 'sqlite'] as const) {
          const target = catalog.stores.find((s) => s.key === key);
          if (target) await runStoreSection(report, budget, target);
          else {
            const why =
              catalog.skipped.find((s) => s.key === key)?.reason ?? 'not selected (BENCH_STORES)';
            report.add(`store-${key}`, `Store: ${key}`, `Section skipped: ${why}.`, {
              skipped: why,
            });
          }
        }
      }
    } finally {
      await catalog.close();
    }
  }

  if (sections.includes('http')) await runHttpSection(report, budget);
  if (sections.includes('middleware')) await runRequestFlagsSection(report, budget);

  const seconds = (performance.now() - started) / 1000;
  const file = report.write({ machine, versions, budget, seconds, command: 'pnpm bench' });
  const markdown = renderPerformance(report, header, seconds, budget.quick, verdicts);
  writeFileSync(join(RESULTS_DIR, 'performance.md'), markdown);
  if (process.env.BENCH_WRITE_PERFORMANCE === '1')
    writeFileSync(join(PACKAGE_DIR, 'PERFORMANCE.md'), markdown);
  console.log(`\nfinished in ${seconds.toFixed(0)} s; JSON: ${file}`);
  const targets = targetSummary(verdicts, variantVerdict);
  if (targets) console.log(`\n${targets}`);
}

/** The Markdown "Performance" text: machine, command, then every section's tables. */
function renderPerformance(
  report: Report,
  header: string,
  seconds: number,
  quick: boolean,
  verdicts: EvalVerdict[],
): string {
  const lines = ['## Performance', ''];
  if (verdicts.length > 0) lines.push(headline(verdicts), '');
  lines.push(
    'Reproduce with `pnpm bench` at the repository root (packages/bench; `BENCH_QUICK=1 pnpm bench`',
    'for a short smoke run). Numbers from one run on a shared, noisy machine: compare within a table',
    '(same process, same run), not across machines.',
    '',
    '```',
    header,
    `whole run: ${seconds.toFixed(0)} s${quick ? ' (quick)' : ''}`,
    '```',
  );
  for (const s of report.sections) lines.push('', `### ${s.title}`, '', s.text);
  return `${lines.join('\n')}\n`;
}

/** One paragraph with the evaluation results that matter most. */
function headline(verdicts: EvalVerdict[]): string {
  const range = (xs: number[], f: (x: number) => string) =>
    `${f(Math.min(...xs))} to ${f(Math.max(...xs))}`;
  const times = (x: number) => `${x.toFixed(1)}×`;
  const missed = verdicts.filter((v) => !v.meetsTarget);
  const peers = [...new Set(verdicts.map((v) => v.fastestPeer))].join(' or ');
  const canNs = range(
    verdicts.map((v) => v.canNs),
    formatNs,
  );
  const speedup = range(
    verdicts.map((v) => v.peerSpeedup),
    times,
  );
  const ratio = range(
    verdicts.map((v) => v.baselineRatio),
    times,
  );
  const engineRatio = range(
    verdicts.map((v) => v.engineRatio),
    times,
  );
  const maxBytes = Math.max(...verdicts.map((v) => v.canBytes));
  const allocation =
    maxBytes < TARGETS.bytesNoise
      ? 'without allocating'
      : `allocating up to ${maxBytes.toFixed(2)} B`;
  return [
    `\`Rollout.can\` answers in ${canNs} per evaluation, synchronously and ${allocation}:`,
    `${speedup} faster than the fastest peer (${peers}),`,
    `${ratio} the time of a hand-written plain-JS check,`,
    `and ${engineRatio} the time of a minimal generic engine (flags as data, a switch on the gate kind).`,
    missed.length === 0
      ? 'Every scenario meets the target (≥ 10× the fastest peer, ≤ 3× the plain-JS baseline, ≤ 1.5× the generic engine, 0 bytes/eval).'
      : `Target missed in: ${missed.map((v) => `${v.scenario} (${v.misses.join(', ')})`).join('; ')}.`,
  ].join(' ');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
