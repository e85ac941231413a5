import { formatBytes } from '../harness/table.js';
import { type EvalVerdict, TARGETS } from './evaluation-section.js';
import { VARIANT_TARGETS, type VariantVerdict } from './variant-section.js';

/** One scenario's numbers against the targets, whichever section it came from. */
interface ScenarioRatios {
  scenario: string;
  peerSpeedup: number;
  fastestPeer: string;
  baselineRatio: number;
  baselineLimit: number;
  engineRatio: number;
  bytes: number;
}

function rows(verdicts: EvalVerdict[], variant: VariantVerdict | undefined): ScenarioRatios[] {
  const out: ScenarioRatios[] = verdicts.map((v) => ({
    scenario: v.scenario,
    peerSpeedup: v.peerSpeedup,
    fastestPeer: v.fastestPeer,
    baselineRatio: v.baselineRatio,
    baselineLimit: TARGETS.baselineRatio,
    engineRatio: v.engineRatio,
    bytes: v.canBytes,
  }));
  if (variant) {
    out.push({
      scenario: variant.scenario,
      peerSpeedup: variant.peerSpeedup,
      fastestPeer: variant.fastestPeer,
      baselineRatio: variant.baselineRatio,
      baselineLimit: VARIANT_TARGETS.baselineRatio,
      engineRatio: variant.engineRatio,
      bytes: variant.bytes,
    });
  }
  return out;
}

/**
 * The targets of issues 6, 11 and 19, one line each: met in every scenario of this run,
 * or which scenarios miss it and by how much. A NaN ratio (a system not timed) misses.
 */
export function targetSummary(
  verdicts: EvalVerdict[],
  variant: VariantVerdict | undefined,
): string {
  const all = rows(verdicts, variant);
  if (all.length === 0) return '';
  const line = (
    title: string,
    meets: (r: ScenarioRatios) => boolean,
    show: (r: ScenarioRatios) => string,
  ): string => {
    const missed = all.filter((r) => !meets(r));
    return missed.length === 0
      ? `  met    ${title}: all ${all.length} scenarios`
      : `  MISSED ${title}: ${missed.map((r) => `${r.scenario} (${show(r)})`).join(', ')}; met in ${all.length - missed.length} of ${all.length}`;
  };
  return [
    'targets, this run (ratios within one run):',
    line(
      `≥ ${TARGETS.peerSpeedup}× the fastest peer`,
      (r) => r.peerSpeedup >= TARGETS.peerSpeedup,
      (r) => `${r.peerSpeedup.toFixed(1)}× ${r.fastestPeer}`,
    ),
    line(
      `≤ ${TARGETS.engineRatio}× the generic engine (issue 19)`,
      (r) => r.engineRatio <= TARGETS.engineRatio,
      (r) => `${r.engineRatio.toFixed(2)}×`,
    ),
    line(
      `≤ ${TARGETS.baselineRatio}× the plain-JS baseline (variant-3way: ≤ ${VARIANT_TARGETS.baselineRatio}×)`,
      (r) => r.baselineRatio <= r.baselineLimit,
      (r) => `${r.baselineRatio.toFixed(2)}×`,
    ),
    line(
      `${TARGETS.bytesPerEval} bytes/eval`,
      (r) => r.bytes < TARGETS.bytesNoise,
      (r) => `${formatBytes(r.bytes)}/eval`,
    ),
  ].join('\n');
}
