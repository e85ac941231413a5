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

/**
 * Bytes allocated per evaluation: calls `body` (which performs `evalsPerCall`
 * evaluations) for at least `ms` milliseconds and `minEvals` evaluations, counts
 * the bytes allocated meanwhile (see `allocatedDuring`), subtracts the cost of
 * the measurement itself, and divides. The median of `rounds` rounds is reported.
 */
export async function bytesPerEval(
  body: Body,
  evalsPerCall: number,
  rounds: number,
  ms = 150,
  minEvals = 100_000,
): Promise<number> {
  const overhead = median(await repeat(5, () => allocatedDuring(async () => {})));
  const results = await repeat(rounds, async () => {
    let evals = 0;
    const bytes = await allocatedDuring(async () => {
      const end = performance.now() + ms;
      while (evals < minEvals || performance.now() < end) {
        const r = body();
        if (r instanceof Promise) await r;
        evals += evalsPerCall;
        if (evals >= minEvals * 50) break;
      }
    });
    return (bytes - overhead) / evals;
  });
  const perEval = median(results);
  // performance.now() and the loop's own bookkeeping are amortized over >= 100k
  // evaluations; what remains below 0.05 B/eval is noise, not a per-call allocation.
  return Math.abs(perEval) < 0.05 ? 0 : perEval;
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
