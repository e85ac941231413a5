/** How long each kind of measurement runs; `BENCH_QUICK=1` picks the smoke-run budget. */
export interface Budget {
  quick: boolean;
  timing: {
    /** CPU time mitata samples each body for in each round, in ns. */
    minCpuTimeNs: number;
    /** Warm-up before sampling, in ms. */
    warmupMs: number;
    /** Rounds of the allocation measurement (median reported). */
    allocRounds: number;
    /**
     * Timing rounds: every system (or size) is timed once per round, in turn, and the
     * median over rounds is reported, so drift in the machine's load hits all alike.
     */
    rounds: number;
  };
  /** Feature counts of the evaluation-growth section. */
  featureCounts: number[];
  /** Feature counts of the snapshot-load section. */
  snapshotCounts: number[];
  /** Users already on the feature in the activateUser section. */
  userCounts: number[];
  /** activateUser calls timed per (store, size). */
  activateRepeats: number;
  /** Feature counts of the fill section (the last is 10× the first: the linearity check). */
  fillCounts: number[];
  /** Mutations, reads and propagations timed per server store. */
  storeOps: number;
  /** Seconds of load per row of the HTTP section. */
  httpSeconds: number;
}

/** The budget for this run. */
export function budgetFromEnv(env: NodeJS.ProcessEnv = process.env): Budget {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  if (quick) {
    return {
      quick,
      timing: { minCpuTimeNs: 40e6, warmupMs: 20, allocRounds: 1, rounds: 1 },
      featureCounts: [10, 1_000, 100_000],
      snapshotCounts: [1_000],
      userCounts: [10, 1_000, 10_000],
      activateRepeats: 3,
      fillCounts: [1_000, 10_000],
      storeOps: 30,
      httpSeconds: 1,
    };
  }
  return {
    quick,
    timing: { minCpuTimeNs: 120e6, warmupMs: 150, allocRounds: 3, rounds: 5 },
    featureCounts: [10, 100, 1_000, 10_000, 100_000],
    snapshotCounts: [1_000, 10_000],
    userCounts: [10, 1_000, 10_000, 100_000],
    activateRepeats: 15,
    fillCounts: [1_000, 10_000],
    storeOps: 300,
    httpSeconds: 4,
  };
}
