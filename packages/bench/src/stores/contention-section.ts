import {
  CONTENDED,
  type ContentionReport,
  contentionExpected,
  runContentionProcesses,
} from '@rollout/store-test-suite';
import type { Budget } from '../budget.js';
import { forkTs, Mailbox } from '../harness/child.js';
import { percentile } from '../harness/measure.js';
import type { Report } from '../harness/report.js';
import { formatNumber, renderTable } from '../harness/table.js';
import type { Catalog, StoreTarget } from './catalog.js';

const WRITERS = 8;
const LANES = 10;

interface ContentionRow {
  store: string;
  writes: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  rejected: number;
  lost: number;
  rawPerSecond: number | undefined;
}

/**
 * Issue 16's contention scenario: 8 processes × N mixed mutations (activateUser,
 * activateGroup, deactivateUser; 10 calls in flight per process) on one feature, per
 * multi-process store, through Rollout clients with default settings; and the raw
 * client doing the same number of edits natively from 8 processes (Redis, PostgreSQL,
 * and for the file store an fsynced append under a lock file).
 */
export async function runContentionSection(
  report: Report,
  budget: Budget,
  catalog: Catalog,
): Promise<void> {
  const writes = Number(process.env.BENCH_CONTENTION_WRITES) || (budget.quick ? 60 : 500);
  const rows: ContentionRow[] = [];
  for (const target of catalog.stores) {
    if (target.key === 'memory') continue; // one process only
    report.note(`  contention: ${target.key}, ${WRITERS} processes × ${writes} mutations`);
    const options = target.freshOptions();
    const reports = await runContentionProcesses({
      module: target.module,
      exportName: target.exportName,
      options,
      writers: WRITERS,
      writes,
    });
    const rejected = reports.flatMap((r) => r.rejected);
    if (rejected.length > 0)
      report.note(
        `  ${target.key}: ${rejected.length} rejected, e.g. ${rejected.slice(0, 3).join(' | ')}`,
      );
    // From the common start instant to the last answer: the slowest writer's time.
    const elapsedMs = Math.max(...reports.map((r) => r.elapsedMs));
    rows.push({
      store: target.key,
      writes: WRITERS * writes,
      ...(await outcome(target, options, reports, writes, elapsedMs)),
      rawPerSecond:
        target.key === 'redis' || target.key === 'postgres' || target.key === 'file'
          ? await rawLimit(target, options, writes)
          : undefined,
    });
  }
  const table = renderTable(
    [
      { title: 'store' },
      { title: 'writes', align: 'right' },
      { title: 'acknowledged/s', align: 'right' },
      { title: 'p50', align: 'right' },
      { title: 'p99', align: 'right' },
      { title: 'rejected', align: 'right' },
      { title: 'lost', align: 'right' },
      { title: 'raw limit/s', align: 'right' },
      { title: 'limit ÷ rollout', align: 'right' },
    ],
    rows.map((r) => [
      r.store,
      r.writes,
      formatNumber(r.perSecond),
      `${r.p50Ms.toFixed(1)} ms`,
      `${r.p99Ms.toFixed(1)} ms`,
      r.rejected,
      r.lost,
      r.rawPerSecond === undefined ? '—' : formatNumber(r.rawPerSecond),
      r.rawPerSecond === undefined ? '—' : `${(r.rawPerSecond / r.perSecond).toFixed(1)}×`,
    ]),
  );
  const text = [
    `${WRITERS} OS processes × ${writes} mutations on one feature (every 6 calls of a lane: 4 activateUser,`,
    `1 activateGroup, 1 deactivateUser of an acknowledged add; ${LANES} calls in flight per process), Rollout`,
    'clients with default settings. Stores with `apply` (file, redis, postgres) apply each mutation',
    'in one atomic step; the others use the compare-and-set loop. "lost": acknowledged users missing',
    'from the final feature plus versions missing (one version per write). The raw limit: the same',
    'number of edits from 8 processes with the same concurrency, natively (`SADD`; one `UPDATE` of',
    'one row per edit; for the file store one line appended and fsynced under an `O_EXCL` lock file',
    'per edit), without validation, history or notification.',
    '',
    table,
  ].join('\n');
  report.add('contention', 'Contention: 8 processes on one feature', text, { writes, rows });
}

async function outcome(
  target: StoreTarget,
  options: Record<string, unknown>,
  reports: ContentionReport[],
  writes: number,
  elapsedMs: number,
): Promise<Pick<ContentionRow, 'perSecond' | 'p50Ms' | 'p99Ms' | 'rejected' | 'lost'>> {
  const latencies = reports.flatMap((r) => r.latencies);
  const acknowledged = reports.reduce((n, r) => n + r.acknowledged, 0);
  const expected = contentionExpected(WRITERS, writes);
  const store = target.create(options);
  try {
    const stored = await store.get(CONTENDED);
    const users = new Set(stored?.users ?? []);
    const missingUsers = expected.users.filter((u) => !users.has(u)).length;
    return {
      perSecond: acknowledged / (elapsedMs / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      rejected: reports.reduce((n, r) => n + r.rejected.length, 0),
      lost: missingUsers + Math.max(0, acknowledged - (stored?.version ?? 0)),
    };
  } finally {
    await store.close();
  }
}

async function rawLimit(
  target: StoreTarget,
  options: Record<string, unknown>,
  writes: number,
): Promise<number> {
  if (target.key === 'postgres') {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: String(options.connectionString) });
    await client.connect();
    const table = `raw_${String(options.table)}`;
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, users text NOT NULL)`);
    await client.query(`INSERT INTO ${table} VALUES (1, '')`);
    await client.end();
  }
  const startAt = Date.now() + 1000 + WRITERS * 300;
  const children = Array.from(
    { length: WRITERS },
    () => new Mailbox(forkTs(new URL('./contention-raw-child.ts', import.meta.url))),
  );
  try {
    for (const [writer, c] of children.entries()) {
      c.child.send({
        type: 'start',
        job: { store: target.key, options, writer, writes, lanes: LANES, startAt },
      });
    }
    const done = await Promise.all(
      children.map((c) => c.next((m) => m.type === 'done' || m.type === 'error', 600_000)),
    );
    const failed = done.find((m) => m.type === 'error');
    if (failed) throw new Error(String(failed.message));
    const elapsedMs = Math.max(...done.map((m) => Number(m.elapsedMs)));
    return (WRITERS * writes) / (elapsedMs / 1000);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
