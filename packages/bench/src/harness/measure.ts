import { GCProfiler, getHeapStatistics } from 'node:v8';
import { measure } from 'mitata';

/** A benchmark body: one call evaluates `count` flags (sync or async). */
export type Body = () => unknown;

/** Timing options shared by every section; BENCH_QUICK shrinks them. */
export interface TimingBudget {
  /** CPU time mitata spends sampling one body, in ns. */
  minCpuTimeNs: number;
  /** Time spent warming a body up before sampling, in ms. */
  warmupMs: number;
  /** Rounds of the allocation measurement. */
  allocRounds: number;
  /** Timing rounds (see `timeRounds`). */
  rounds: number;
}

/** The result of timing one body. */
export interface Timing {
  /** Median ns per evaluation (mitata's p50 sample divided by evaluations per call). */
  nsPerEval: number;
  /** 99th percentile ns per evaluation. */
  p99NsPerEval: number;
  /** Samples mitata took. */
  samples: number;
}

/** Runs `body` repeatedly for about `ms` milliseconds, so the JIT has optimized it before sampling. */
export async function warmUp(body: Body, ms: number): Promise<void> {
  const end = performance.now() + ms;
  let calls = 0;
  while (performance.now() < end || calls < 3) {
    const r = body();
    if (r instanceof Promise) await r;
    calls++;
  }
}

/**
 * Times `body`, which performs `evalsPerCall` evaluations per call, with mitata.
 * Batching is off (each sample is one call of hundreds or thousands of evaluations,
 * far above the timer's resolution), so the median is a median of real calls.
 */
export async function timeBody(
  body: Body,
  evalsPerCall: number,
  budget: TimingBudget,
): Promise<Timing> {
  await warmUp(body, budget.warmupMs);
  const stats = await measure(body, {
    // One call already holds many evaluations: do not batch calls together.
    batch_threshold: 0,
    min_cpu_time: budget.minCpuTimeNs,
    min_samples: 12,
  });
  return {
    nsPerEval: stats.p50 / evalsPerCall,
    p99NsPerEval: stats.p99 / evalsPerCall,
    samples: stats.samples.length,
  };
}

/**
 * Times several bodies in `budget.rounds` rounds: each round times every body once,
 * in turn (warm-up only in the first round), and each body's result is the median
 * of its per-round medians. Load that comes and goes on a shared machine then lands
 * on every body alike instead of on whichever ran at the wrong moment.
 */
export async function timeRounds(
  bodies: { body: Body; evalsPerCall: number }[],
  budget: TimingBudget,
): Promise<Timing[]> {
  const perRound: Timing[][] = bodies.map(() => []);
  for (let round = 0; round < budget.rounds; round++) {
    for (let i = 0; i < bodies.length; i++) {
      const b = bodies[i] as { body: Body; evalsPerCall: number };
      const warmupMs = round === 0 ? budget.warmupMs : Math.min(20, budget.warmupMs);
      (perRound[i] as Timing[]).push(
        await timeBody(b.body, b.evalsPerCall, { ...budget, warmupMs }),
      );
    }
  }
  return perRound.map((ts) => ({
    nsPerEval: median(ts.map((t) => t.nsPerEval)),
    p99NsPerEval: median(ts.map((t) => t.p99NsPerEval)),
    samples: ts.reduce((n, t) => n + t.samples, 0),
  }));
}

/** Heap bytes in use, as V8 counts them. */
function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** A full, synchronous garbage collection (the bench runs with --expose-gc). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/**
 * Heap bytes allocated while `run` executes, exactly, even when collections happen
 * meanwhile: the heap growth plus what every collection in between freed (V8's
 * GCProfiler reports the heap before and after each one).
 */
async function allocatedDuring(run: () => Promise<void>): Promise<number> {
  fullGc();
  const profiler = new GCProfiler();
  profiler.start();
  const h0 = heapUsed();
  await run();
  const h1 = heapUsed();
  const report = profiler.stop();
  let freed = 0;
  for (const gc of report?.statistics ?? []) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return h1 - h0 + freed;
}

/** Calls `body` `calls` times (awaiting it when async); a loop of its own so call sites stay comparable. */
async function callTimes(body: Body, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const r = body();
    if (r instanceof Promise) await r;
  }
}

const noop: Body = () => 0;

/**
 * Bytes allocated per evaluation: calls `body` (which performs `evalsPerCall`
 * evaluations) enough times for `minEvals` evaluations, counts the bytes allocated
 * meanwhile (see `allocatedDuring`), subtracts what the same loop allocates around
 * a body that does nothing, and divides. The median of `rounds` rounds is reported.
 */
export async function bytesPerEval(
  body: Body,
  evalsPerCall: number,
  rounds: number,
  targetEvals = 1_000_000,
  maxMs = 250,
): Promise<number> {
  const t0 = performance.now();
  await callTimes(body, 1);
  const callMs = Math.max(performance.now() - t0, 1e-3);
  // About a million evaluations, but no more than ~maxMs of calls per round for slow systems.
  const calls = Math.max(
    3,
    Math.min(Math.ceil(targetEvals / evalsPerCall), Math.floor(maxMs / callMs)),
  );
  // One discarded round first: the loop's own (re)compilation allocates code objects.
  await allocatedDuring(() => callTimes(noop, calls));
  await allocatedDuring(() => callTimes(body, calls));
  const results = await repeat(rounds, async () => {
    const loop = await allocatedDuring(() => callTimes(noop, calls));
    const bytes = await allocatedDuring(() => callTimes(body, calls));
    return (bytes - loop) / (calls * evalsPerCall);
  });
  const perEval = median(results);
  // What remains below 0.01 B/eval is measurement noise (a few hundred bytes over
  // 100,000+ evaluations: code or feedback the JIT allocated), not a per-evaluation allocation.
  return Math.abs(perEval) < 0.01 ? 0 : perEval;
}

async function repeat(n: number, f: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
}

/** Median of a list of numbers (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A percentile (0..100) of a list of numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank] as number;
}
