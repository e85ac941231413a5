import { Rollout } from '@rollout/core';
import { RequestFlags } from '@rollout/middleware';
import { MemoryStore } from '@rollout/store-memory';
import type { Budget } from '../budget.js';
import { type BenchUser, makeUsers } from '../evaluation/fixtures.js';
import { bytesPerEval, type Timing, timeRounds } from '../harness/measure.js';
import type { Report } from '../harness/report.js';
import { formatBytes, formatNs, renderTable } from '../harness/table.js';

const FLAG = 'beta';

/**
 * What `req.flags` of `@rollout/middleware` costs over a bare client: `flags.can(name)`
 * against `rollout.can(user, name)` for the same 10,000 users (a 20 % rollout), and the
 * per-request part (building the request's `RequestFlags`, then one `can`).
 */
export async function runRequestFlagsSection(report: Report, budget: Budget): Promise<void> {
  const users: BenchUser[] = makeUsers();
  const rollout = new Rollout<BenchUser>({ store: new MemoryStore() });
  await rollout.ready();
  await rollout.addFeature({ name: FLAG, percentage: 20 });
  const scoped = users.map((u) => new RequestFlags(rollout, u));
  const bodies: { name: string; body: () => number }[] = [
    {
      name: 'rollout.can(user, name)',
      body: () => {
        let n = 0;
        for (let i = 0; i < users.length; i++) if (rollout.can(users[i] as BenchUser, FLAG)) n++;
        return n;
      },
    },
    {
      name: 'req.flags.can(name)',
      body: () => {
        let n = 0;
        for (let i = 0; i < scoped.length; i++)
          if ((scoped[i] as RequestFlags<BenchUser>).can(FLAG)) n++;
        return n;
      },
    },
    {
      name: 'new RequestFlags + can (per request)',
      body: () => {
        let n = 0;
        for (let i = 0; i < users.length; i++)
          if (new RequestFlags(rollout, users[i] as BenchUser).can(FLAG)) n++;
        return n;
      },
    },
  ];
  const expected = bodies[0]?.body();
  for (const b of bodies)
    if (b.body() !== expected) throw new Error(`${b.name} disagrees with rollout.can`);
  const timings = await timeRounds(
    bodies.map((b) => ({ body: b.body, evalsPerCall: users.length })),
    budget.timing,
  );
  const bytes: number[] = [];
  for (const b of bodies)
    bytes.push(await bytesPerEval(b.body, users.length, budget.timing.allocRounds));
  await rollout.close();
  const bare = (timings[0] as Timing).nsPerEval;
  const rows = bodies.map((b, i) => {
    const t = timings[i] as Timing;
    return {
      name: b.name,
      ns: t.nsPerEval,
      p99: t.p99NsPerEval,
      overheadNs: t.nsPerEval - bare,
      bytes: bytes[i] ?? 0,
    };
  });
  const table = renderTable(
    [
      { title: 'call' },
      { title: 'ns/call (median)', align: 'right' },
      { title: 'p99', align: 'right' },
      { title: 'overhead vs bare', align: 'right' },
      { title: 'bytes/call', align: 'right' },
    ],
    rows.map((r) => [
      r.name,
      formatNs(r.ns),
      formatNs(r.p99),
      formatNs(r.overheadNs),
      formatBytes(r.bytes),
    ]),
  );
  const text = [
    `req.flags (@rollout/middleware) against the bare client: one flag at 20 %, ${users.length} users per timed call.`,
    'Overhead is the difference of medians, so a few ns either way is noise on a busy machine.',
    '',
    table,
  ].join('\n');
  report.add('middleware', 'req.flags.can against rollout.can', text, { rows });
}
