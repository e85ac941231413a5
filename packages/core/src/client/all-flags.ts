import type { FlagName } from '../flag-types.js';
import type { VariantResult } from '../variant-evaluate.js';
import type { Evaluator } from './evaluator.js';
import type { LocalSnapshot } from './local-snapshot.js';

/** Options of `rollout.allFlags`. */
export interface AllFlagsOptions {
  /**
   * Only these flags (in this order). A name the snapshot does not know is answered
   * off with reason `FEATURE_NOT_FOUND`, so a page can tell "off" from "missing".
   * Default: every feature of the local snapshot, sorted by name.
   */
  names?: readonly FlagName[];
}

/**
 * Every flag's answer for one user, keyed by flag name: `enabled`, `variant` and
 * `value` when there are any, and the `reason`. Plain JSON (`JSON.stringify` keeps
 * everything), so a server can embed it in a page for the browser to read at start.
 */
export type FlagAnswers = Record<string, VariantResult>;

/**
 * See `Rollout.allFlags`. Each answer is what `rollout.variant` gives (the same
 * evaluation, frozen and shared), so the bootstrap and a later `can` never disagree.
 */
export function allFlags<U>(
  evaluator: Pick<Evaluator<U>, 'variant'>,
  snapshot: Pick<LocalSnapshot, 'names'>,
  user: U,
  options?: AllFlagsOptions,
): FlagAnswers {
  const names = options?.names ?? snapshot.names();
  // fromEntries defines own properties: a flag named `__proto__` stays a flag.
  return Object.fromEntries(names.map((name) => [name, evaluator.variant(user, name)]));
}
