import type {
  AllFlagsOptions,
  Explanation,
  FlagAnswers,
  FlagName,
  FlagValueOf,
  FlagVariantResult,
  Rollout,
  User,
  Widened,
} from '@rollout/core';

/**
 * One request's flags: the client and the user the request was mapped to (once, when
 * the request came in), so handlers ask `req.flags.can('beta')` without naming the
 * user again. Every answer is the client's synchronous, never-throwing evaluation
 * from its local snapshot; nothing here does I/O.
 */
export class RequestFlags<U = User> {
  /**
   * @param rollout the client to ask.
   * @param user the request's user, as `user(req)` returned it.
   */
  constructor(
    readonly rollout: Rollout<U>,
    readonly user: U,
  ) {}

  /** Whether the request's user gets `name` (`rollout.can`). */
  can(name: FlagName): boolean {
    return this.rollout.can(this.user, name);
  }

  /** The variant and its value (`rollout.variant`); shared and frozen. */
  variant<N extends FlagName>(name: N): FlagVariantResult<N> {
    return this.rollout.variant(this.user, name);
  }

  /** The variant's value or `fallback` (`rollout.value`). */
  value<T extends FlagValueOf<N>, N extends FlagName = FlagName>(name: N, fallback: T): Widened<T> {
    return this.rollout.value(this.user, name, fallback);
  }

  /** The answer with the step that decided it (`rollout.explain`). */
  explain(name: FlagName): Explanation {
    return this.rollout.explain(this.user, name);
  }

  /** Every flag's answer for the request's user (`rollout.allFlags`): JSON for the page. */
  all(options?: AllFlagsOptions): FlagAnswers {
    return this.rollout.allFlags(this.user, options);
  }
}
