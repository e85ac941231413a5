import { type FeatureInput, Rollout } from '@rollout/core';
import type { Budget } from '../budget.js';
import { forkTs, Mailbox, nowNs } from '../harness/child.js';
import { median, percentile } from '../harness/measure.js';
import type { Report } from '../harness/report.js';
import { formatNumber, renderTable } from '../harness/table.js';
import type { StoreKey, StoreTarget } from './catalog.js';

/** Latency statistics in milliseconds. */
export interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

function latency(ms: number[]): Latency {
  return { p50: median(ms), p99: percentile(ms, 99), samples: ms.length };
}

/** One server store's results. */
export interface StoreResult {
  store: StoreKey;
  mutation: Latency;
  read: Latency;
  rawRead: Latency;
  rawWhat: string;
  propagation: Latency;
  pushes: boolean;
}

/** What `store.get` does beyond the raw read, per store. */
const READ_NOTES: Record<StoreKey, string> = {
  memory: 'a structured clone',
  file: 'the store checks the file signature and parses and validates the document when it changed',
  redis: 'the store also parses and validates the record',
  postgres: 'the store also validates the record',
  memcache: 'the store also reads the sentinel and the index before the record, and validates it',
  sqlite: 'the store also parses and validates the record',
};

/** A feature like the ones apps keep: a user list, a deny list, rules, a percentage, data. */
const FEATURE: FeatureInput = {
  name: 'bench.checkout_v2',
  description: 'New checkout flow, rolled out by country and percentage.',
  groups: ['beta', 'staff'],
  users: Array.from({ length: 100 }, (_, i) => `user-${i * 7}`),
  excludedUsers: ['user-13'],
  percentage: 10,
  rules: [{ attribute: 'country', operator: 'in', values: ['NZ', 'AU'] }],
  data: { owner: 'team-checkout@example.com', ticket: 'CHK-1234' },
};

/**
 * One server store's section (issues 3, 4, 5): mutation latency, fresh read latency
 * next to the raw client reading the same data, and write-to-other-process propagation.
 */
export async function runStoreSection(
  report: Report,
  budget: Budget,
  target: StoreTarget,
): Promise<StoreResult> {
  const options = target.freshOptions();
  const store = target.create(options);
  const rollout = new Rollout({ store });
  rollout.on('error', () => {});
  await rollout.ready();
  const name = FEATURE.name;
  await rollout.addFeature(FEATURE);
  const ops = budget.storeOps;
  let pct = 0;
  // Each write must change something (an unchanged feature is not written): step the percentage.
  const nextPercentage = () => {
    pct = (pct + 1) % 100_000;
    return pct / 1000;
  };

  report.note(`  ${target.key}: mutations`);
  const mutation: number[] = [];
  for (let i = 0; i < ops + 5; i++) {
    const t0 = performance.now();
    await rollout.activatePercentage(name, nextPercentage());
    if (i >= 5) mutation.push(performance.now() - t0);
  }

  report.note(`  ${target.key}: fresh reads vs raw client`);
  const raw = await target.rawReader?.(options);
  const read: number[] = [];
  const rawRead: number[] = [];
  for (let i = 0; i < ops + 5; i++) {
    // Alternate, so both see the same moment of a noisy machine.
    let t0 = performance.now();
    const f = await rollout.getFeature(name);
    const a = performance.now() - t0;
    if (!f) throw new Error(`${target.key}: the feature vanished`);
    t0 = performance.now();
    const r = raw ? await raw.read(name) : undefined;
    const b = performance.now() - t0;
    if (raw && (r === undefined || r === null))
      throw new Error(`${target.key}: the raw read found nothing`);
    if (i >= 5) {
      read.push(a);
      rawRead.push(b);
    }
  }
  await raw?.close();

  report.note(`  ${target.key}: propagation to another process`);
  const child = forkTs(new URL('./propagation-child.ts', import.meta.url));
  const mail = new Mailbox(child);
  child.send({
    type: 'start',
    module: target.module,
    exportName: target.exportName,
    options,
    feature: name,
  });
  const ready = await mail.next((m) => m.type === 'ready' || m.type === 'error', 60_000);
  if (ready.type === 'error') throw new Error(`${target.key} child: ${String(ready.message)}`);
  // Polling stores take up to a poll interval per change: fewer samples keep the run short.
  const propagations = store.capabilities.push ? ops : Math.min(ops, 40);
  const propagation: number[] = [];
  // Writes right after the previous change arrived would always land just after the
  // child's poll: wait a random part of the poll interval so writes fall at any phase.
  const phase = store.capabilities.push ? 2 : store.capabilities.pollIntervalMs;
  for (let i = 0; i < propagations; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * phase));
    mail.clear();
    const t0 = nowNs();
    const stored = await rollout.activatePercentage(name, nextPercentage());
    const m = await mail.next(
      (x) => x.type === 'change' && Number(x.version) >= stored.version,
      30_000,
    );
    propagation.push(Number(BigInt(String(m.at)) - t0) / 1e6);
  }
  await mail.stop();
  await rollout.removeFeature(name);
  await rollout.close();

  const result: StoreResult = {
    store: target.key,
    mutation: latency(mutation),
    read: latency(read),
    rawRead: latency(rawRead),
    rawWhat: raw?.what ?? 'none',
    propagation: latency(propagation),
    pushes: store.capabilities.push,
  };
  const ms = (x: number) => `${formatNumber(x)} ms`;
  const table = renderTable(
    [
      { title: 'operation' },
      { title: 'p50', align: 'right' },
      { title: 'p99', align: 'right' },
      { title: 'samples', align: 'right' },
    ],
    [
      [
        'mutation (activatePercentage: get + compare-and-set put)',
        ms(result.mutation.p50),
        ms(result.mutation.p99),
        result.mutation.samples,
      ],
      [
        'fresh read (rollout.getFeature → store.get)',
        ms(result.read.p50),
        ms(result.read.p99),
        result.read.samples,
      ],
      [
        `raw client read of the same data (${result.rawWhat})`,
        ms(result.rawRead.p50),
        ms(result.rawRead.p99),
        result.rawRead.samples,
      ],
      [
        `write start → change event in another process (${result.pushes ? 'pushed' : `polled every ${store.capabilities.pollIntervalMs} ms`})`,
        ms(result.propagation.p50),
        ms(result.propagation.p99),
        result.propagation.samples,
      ],
    ],
  );
  const text = [
    target.server
      ? `A ${JSON.stringify(FEATURE).length}-byte feature (100 users, rules, data); server started by @rollout/test-servers on 127.0.0.1.`
      : `A ${JSON.stringify(FEATURE).length}-byte feature (100 users, rules, data) in a flags file in the temp directory.`,
    `Store read ÷ raw read: ${(result.read.p50 / result.rawRead.p50).toFixed(2)}× at p50 (${READ_NOTES[target.key]}).`,
    '',
    table,
  ].join('\n');
  report.add(`store-${target.key}`, `Store: ${target.key}`, text, result);
  return result;
}
