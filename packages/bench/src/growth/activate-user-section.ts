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
      // The set-up's garbage (a 100,000-id feature encoded, validated, compiled) is not
      // the cost of activateUser: collect it before timing (the bench runs with --expose-gc).
      (globalThis as { gc?: () => void }).gc?.();
      const times: number[] = [];
      // Fewer repeats on the largest lists of stores that still move megabytes per write
      // (Redis and PostgreSQL keep ids beside the document: a write there is small).
      const listsApart = target.key === 'redis' || target.key === 'postgres';
      const slow = n >= 100_000 && !listsApart;
      const repeats = slow
        ? Math.max(3, Math.ceil(budget.activateRepeats / 3))
        : budget.activateRepeats;
      // The first calls warm up code paths and connections (three: the first store and size
      // otherwise times code the JIT has not optimized yet, which skews the "× 10 users" column).
      const warmUp = 3;
      for (let i = 0; i < repeats + warmUp; i++) {
        const t0 = performance.now();
        await rollout.activateUser(name, `new-user-${i}`);
        const ms = performance.now() - t0;
        if (i >= warmUp) times.push(ms);
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
    'What grows: in stores that keep the feature as one document (memory, file, memcache, sqlite),',
    'one `activateUser` reads, validates, copies and writes back the whole document, every id',
    'included, and keeps the records before and after in its history entry: linear in the listed',
    'users; a fixed cost (round trips, the file lock and fsync) dominates small lists. Redis (and',
    'PostgreSQL where it keeps ids as rows) store ids beside the document: the write adds one id',
    '(one ZADD), records a compact history entry and answers without the record; the client derives',
    'the record from its copy (one copy of the id list) and updates the compiled id Set in place.',
    "The set-up's garbage is collected before timing. Evaluation does not grow (a Set lookup).",
    `From ${formatNumber(first)} to ${formatNumber(last)} listed users, one activateUser grows: ${growth}.`,
    '',
    table,
  ].join('\n');
  report.add('activateUser', 'activateUser cost vs users already on the feature', text, results);
}
