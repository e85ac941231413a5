import { writeFile } from 'node:fs/promises';
import { type Feature, featureFromInput } from '@rollout/core';
import type { Budget } from '../budget.js';
import { forkTs, Mailbox } from '../harness/child.js';
import type { Report } from '../harness/report.js';
import { formatBytes, formatNumber, renderTable } from '../harness/table.js';
import type { Catalog, StoreTarget } from '../stores/catalog.js';
import { realisticFeatures } from '../stores/realistic-features.js';

/** What one child reported. */
interface LoadResult {
  store: string;
  features: number;
  loadMs: number;
  heapBytes: number;
  rssBytes: number;
  rssDeltaBytes: number;
  /** Time to fill the namespace with `store.put`, one feature at a time (server stores). */
  fillMs?: number;
}

/** Writes `features` into a fresh namespace of `target`; returns the options of that namespace. */
async function populate(
  target: StoreTarget,
  features: Feature[],
): Promise<Record<string, unknown>> {
  const options = target.freshOptions();
  if (target.key === 'file') {
    // The documented, human-editable file format; writing it directly avoids 10,000
    // whole-file rewrites (each put rewrites the file atomically).
    const doc = {
      format: 'rollout/v1',
      revision: features.length,
      features: Object.fromEntries(
        features.map(({ name, ...rest }) => [name, { ...rest, version: 1 }]),
      ),
    };
    await writeFile(String(options.path), `${JSON.stringify(doc, null, 2)}\n`);
    return options;
  }
  const store = target.create(options);
  await store.connect();
  // One put after another, as an admin tool would add them: the fill time then shows
  // how the cost of one write grows with the number of features already stored.
  for (const f of features) await store.put(f, 0);
  await store.close();
  return options;
}

/** Snapshot load time and resident memory for realistic flag sets, per store, each in a fresh process. */
export async function runSnapshotSection(
  report: Report,
  budget: Budget,
  catalog: Catalog,
): Promise<void> {
  const results: LoadResult[] = [];
  const notes: string[] = [];
  for (const count of budget.snapshotCounts) {
    const now = new Date().toISOString();
    const inputs = realisticFeatures(count);
    const features = inputs.map((f) => featureFromInput(f, now));
    const jsonBytes = features.reduce((n, f) => n + JSON.stringify(f).length, 0);
    notes.push(
      `${formatNumber(count)} features: ${formatBytes(jsonBytes)} of JSON (${formatBytes(jsonBytes / count)} each on average)`,
    );
    for (const target of catalog.stores) {
      report.note(`  snapshot: ${count} features from ${target.key}`);
      const f0 = performance.now();
      const options = target.key === 'memory' ? {} : await populate(target, features);
      const fillMs =
        target.key === 'memory' || target.key === 'file' ? undefined : performance.now() - f0;
      const child = forkTs(new URL('./snapshot-child.ts', import.meta.url));
      const mail = new Mailbox(child);
      child.send({
        module: target.module,
        exportName: target.exportName,
        options,
        ...(target.key === 'memory' ? { seed: count } : {}),
      });
      const m = await mail.next((x) => x.type === 'loaded' || x.type === 'error', 120_000);
      await new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
      );
      if (m.type === 'error')
        throw new Error(`snapshot child (${target.key}): ${String(m.message)}`);
      results.push({
        store: target.key,
        features: Number(m.features),
        loadMs: Number(m.loadMs),
        heapBytes: Number(m.heapBytes),
        rssBytes: Number(m.rssBytes),
        rssDeltaBytes: Number(m.rssDeltaBytes),
        ...(fillMs === undefined ? {} : { fillMs }),
      });
    }
  }
  const table = renderTable(
    [
      { title: 'store' },
      { title: 'features', align: 'right' },
      { title: 'load (new Rollout → ready)', align: 'right' },
      { title: 'snapshot heap', align: 'right' },
      { title: 'heap per feature', align: 'right' },
      { title: 'RSS growth', align: 'right' },
      { title: 'process RSS', align: 'right' },
      { title: 'filled by puts in', align: 'right' },
    ],
    results.map((r) => [
      r.store,
      r.features,
      `${formatNumber(r.loadMs)} ms`,
      formatBytes(r.heapBytes),
      formatBytes(r.heapBytes / r.features),
      formatBytes(r.rssDeltaBytes),
      formatBytes(r.rssBytes),
      r.fillMs === undefined ? '' : `${formatNumber(r.fillMs / 1000)} s`,
    ]),
  );
  const text = [
    'Realistic flags (description, groups, user lists from 0 to 500 ids, deny lists, percentages,',
    'rules, a data payload). Each load runs in a fresh process: the time from `new Rollout` to',
    '`ready()` (connect excluded), and the heap the client holds afterwards (features plus their',
    'compiled form: sets of ids, parsed rules), measured between full GCs. The memory store is',
    'filled before the first reading, so its own copy is not counted either. Server stores and SQLite',
    'are filled with `store.put`, one feature after another (last column); the file is written directly in its',
    'documented format, because every put rewrites the whole file. The fill section times filling',
    'alone, at two sizes, to show whether it is linear.',
    ...notes.map((n) => `- ${n}`),
    '',
    table,
  ].join('\n');
  report.add('snapshot', 'Snapshot load time and memory', text, results);
}
