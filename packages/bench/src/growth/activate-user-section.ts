import { Rollout } from '@rollout/core';
import type { Budget } from '../budget.js';
import { median, percentile } from '../harness/measure.js';
import type { Report } from '../harness/report.js';
import { formatBytes, formatNumber, renderTable } from '../harness/table.js';
import type { Catalog } from '../stores/catalog.js';

interface ActivateResult {
  store: string;
  users: number;
  documentBytes: number;
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

/**
 * The cost of one `activateUser` on a feature that already lists N users, per store.
 * Every mutation is a whole-document compare-and-set, so it grows with N.
 */
export async function runActivateUserSection(
  report: Report,
  budget: Budget,
  catalog: Catalog,
): Promise<void> {
  const results: ActivateResult[] = [];
  for (const target of catalog.stores) {
    for (const n of budget.userCounts) {
      report.note(`  activateUser: ${target.key}, ${n} users on the feature`);
      const store = target.create(target.freshOptions());
      const rollout = new Rollout({ store });
      await rollout.ready();
      const name = 'bench.big_list';
      const ids = Array.from({ length: n }, (_, i) => `user-${i}`);
      const added = await rollout.addFeature({ name, users: ids });
      const documentBytes = JSON.stringify(added).length;
      const times: number[] = [];
      // Fewer repeats on the largest lists: each one moves megabytes.
      const repeats =
        n >= 100_000 ? Math.max(3, Math.ceil(budget.activateRepeats / 3)) : budget.activateRepeats;
      for (let i = 0; i < repeats + 1; i++) {
        const t0 = performance.now();
        await rollout.activateUser(name, `new-user-${i}`);
        const ms = performance.now() - t0;
        if (i > 0) times.push(ms); // the first call warms up code paths and connections
      }
      results.push({
        store: target.key,
        users: n,
        documentBytes,
        p50Ms: median(times),
        p99Ms: percentile(times, 99),
        samples: times.length,
      });
      await rollout.removeFeature(name);
      await rollout.close();
    }
  }
  const smallest = (store: string) => results.find((r) => r.store === store)?.p50Ms ?? Number.NaN;
  const table = renderTable(
    [
      { title: 'store' },
      { title: 'users on feature', align: 'right' },
      { title: 'feature JSON', align: 'right' },
      { title: 'activateUser p50', align: 'right' },
      { title: 'slowest sample', align: 'right' },
      { title: `× ${formatNumber(budget.userCounts[0] ?? 0)} users`, align: 'right' },
    ],
    results.map((r) => [
      r.store,
      r.users,
      formatBytes(r.documentBytes),
      `${formatNumber(r.p50Ms)} ms`,
      `${formatNumber(r.p99Ms)} ms`,
      `${formatNumber(r.p50Ms / smallest(r.store))}×`,
    ]),
  );
  const first = budget.userCounts[0] ?? 0;
  const last = budget.userCounts[budget.userCounts.length - 1] ?? 0;
  const growth = [...new Set(results.map((r) => r.store))]
    .map((store) => {
      const big = results.find((r) => r.store === store && r.users === last);
      return big ? `${store} ×${formatNumber(big.p50Ms / smallest(store))}` : undefined;
    })
    .filter(Boolean)
    .join(', ');
  const text = [
    'What grows: one `activateUser` is a read-modify-write of the whole feature document. The store',
    'reads and decodes the record (every id); the client copies it, checks the id is not listed yet,',
    'inserts it keeping the list sorted, and compares old and new content (JSON of both); the store',
    'encodes and writes the whole document back with compare-and-set (Redis validates it again); the',
    'client then recompiles the feature (a Set of every id). Each step is linear in the listed users;',
    'a fixed cost (round trips, the file lock and fsync) dominates small lists. Evaluation does not',
    'grow (a Set lookup); only writes to big lists do. Keep very large audiences in a group or a',
    'rule instead of a user list.',
    `From ${formatNumber(first)} to ${formatNumber(last)} listed users, one activateUser grows: ${growth}.`,
    '',
    table,
  ].join('\n');
  report.add('activateUser', 'activateUser cost vs users already on the feature', text, results);
}
