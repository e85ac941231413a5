import type { Rollout } from '@rollout/core';

/** The feature every contention writer edits. */
export const CONTENDED = 'contended';

/** Calls in flight per writer (lanes, each running its calls one after another). */
export const LANES = 10;

/** One call of the contention workload. */
export type ContentionCall =
  | { readonly kind: 'activateUser'; readonly id: string }
  | { readonly kind: 'deactivateUser'; readonly id: string }
  | { readonly kind: 'activateGroup'; readonly group: string };

/**
 * Writer `p`'s calls, `writes` of them in {@link LANES} lanes. In every block of six
 * calls of a lane: four users added, one group added, and the block's second user
 * removed again, after its add was acknowledged (same lane, so the final state is
 * exact). Every call changes the feature: one version per call.
 */
export function contentionLanes(p: number, writes: number): ContentionCall[][] {
  const lanes: ContentionCall[][] = Array.from({ length: LANES }, () => []);
  for (let k = 0; k < writes; k++) {
    const lane = lanes[k % LANES] as ContentionCall[];
    const position = lane.length % 6;
    const tag = `p${p}-${k}`;
    if (position === 4) lane.push({ kind: 'activateGroup', group: `g-${tag}` });
    else if (position === 5) {
      const added = lane[lane.length - 4] as { id: string };
      lane.push({ kind: 'deactivateUser', id: added.id });
    } else lane.push({ kind: 'activateUser', id: `u-${tag}` });
  }
  return lanes;
}

/** The feature's users and groups once every call of `writers` writers has been acknowledged. */
export function contentionExpected(
  writers: number,
  writes: number,
): { users: string[]; groups: string[]; calls: number } {
  const users = new Set<string>();
  const groups: string[] = [];
  let calls = 0;
  for (let p = 0; p < writers; p++) {
    for (const lane of contentionLanes(p, writes)) {
      for (const call of lane) {
        calls++;
        if (call.kind === 'activateUser') users.add(call.id);
        else if (call.kind === 'deactivateUser') users.delete(call.id);
        else groups.push(call.group);
      }
    }
  }
  return { users: [...users].sort(), groups: groups.sort(), calls };
}

/** What one writer reports. */
export interface ContentionReport {
  acknowledged: number;
  /** `code: message` of every rejected call. */
  rejected: string[];
  /** Latency of every acknowledged call, ms. */
  latencies: number[];
  /** From the writer's first call to its last answer, ms. */
  elapsedMs: number;
}

/** Runs writer `p`'s calls through `rollout`, lanes in parallel; never throws. */
export async function runContentionWriter(
  rollout: Rollout,
  p: number,
  writes: number,
): Promise<ContentionReport> {
  const report: ContentionReport = { acknowledged: 0, rejected: [], latencies: [], elapsedMs: 0 };
  const began = performance.now();
  await Promise.all(
    contentionLanes(p, writes).map(async (lane) => {
      for (const call of lane) {
        const started = performance.now();
        try {
          if (call.kind === 'activateUser') await rollout.activateUser(CONTENDED, call.id);
          else if (call.kind === 'deactivateUser') await rollout.deactivateUser(CONTENDED, call.id);
          else await rollout.activateGroup(CONTENDED, call.group);
          report.acknowledged++;
          report.latencies.push(performance.now() - started);
        } catch (error) {
          const e = error as { code?: string; message?: string };
          report.rejected.push(`${e.code ?? 'ERROR'}: ${e.message ?? String(error)}`);
        }
      }
    }),
  );
  report.elapsedMs = performance.now() - began;
  return report;
}
