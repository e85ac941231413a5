import {
  GroupPredicateError,
  isRolloutError,
  NotReadyError,
  type RolloutError,
  ValidationError,
} from '../errors.js';
import {
  type CompiledFeature,
  type EvaluationDetail,
  evaluateFeature,
  type GroupPredicate,
  idOf,
  isOnReason,
} from '../evaluate.js';
import { EvaluatorKind } from '../evaluator-kind.js';
import { decide } from '../evaluators.js';
import { GROUP_ALL, GROUP_NONE, type JsonValue, type User } from '../model.js';
import { validateGroupName } from '../validation.js';
import {
  chooseVariant,
  jsonKind,
  offResult,
  UNKNOWN_RESULTS,
  type VariantResult,
  variantResult,
} from '../variant-evaluate.js';
import type { Emit } from './events.js';
import {
  baseExplanation,
  type Explanation,
  explainEvaluation,
  explainVariant,
  withReason,
} from './explain.js';
import type { LocalSnapshot } from './local-snapshot.js';
import type { SyncLoop } from './sync-loop.js';

/** Settings of {@link Evaluator}. */
export interface EvaluatorOptions<U> {
  /** The compiled features to read. */
  snapshot: Pick<LocalSnapshot, 'get' | 'byName' | 'revision'>;
  /** Whether the first snapshot loaded, and whether it is stale. */
  sync: Pick<SyncLoop, 'isReady' | 'status' | 'staleSince' | 'staleError'>;
  emit: Emit;
  mapUser: ((user: U) => User) | undefined;
}

const EMPTY_USER: User = Object.freeze({});

/**
 * Answers `can` and `explain` from the local snapshot: synchronous, never throws,
 * no I/O, and `can` allocates nothing. Owns what evaluation needs besides the
 * features: the user mapping and the groups defined in code.
 */
export class Evaluator<U> {
  private readonly snapshot: Pick<LocalSnapshot, 'get' | 'byName' | 'revision'>;
  // The snapshot's own map (changed in place): one pointer less to follow per call.
  private readonly features: ReadonlyMap<string, CompiledFeature>;
  private readonly sync: Pick<SyncLoop, 'isReady' | 'status' | 'staleSince' | 'staleError'>;
  private readonly emit: Emit;
  private readonly mapUser: ((user: U) => User) | undefined;
  private readonly codeGroups = new Map<string, GroupPredicate>();
  private notReadyReported = false;
  // Reused by every explain call: evaluation fills it in instead of allocating.
  private readonly detail: EvaluationDetail = { group: undefined, rule: -1, position: -1 };
  private readonly groupErrorHandler = (group: string, error: unknown) => {
    this.emit('error', new GroupPredicateError(group, { cause: error }));
  };

  constructor(options: EvaluatorOptions<U>) {
    this.snapshot = options.snapshot;
    this.features = options.snapshot.byName;
    this.sync = options.sync;
    this.emit = options.emit;
    this.mapUser = options.mapUser;
  }

  /** See `Rollout.can`. */
  can(user: U, name: string): boolean {
    // `!== true`, not `!`: one compare on the hot path instead of a full truthiness test.
    if (this.sync.isReady !== true) {
      this.reportNotReady();
      return false;
    }
    const cf = this.features.get(name);
    if (cf === undefined) return false;
    // On for everyone: nothing about the user can matter, and without a `mapUser` (the
    // one step that can throw) there is nothing to run either.
    const mapUser = this.mapUser;
    if (cf.kind === EvaluatorKind.ALL && mapUser === undefined) return true;
    try {
      // A user object without a `mapUser` (the common case) is evaluated as it is, tested
      // here rather than through `toUser`: the fewer bytecodes `can` inlines, the more of
      // the evaluators fits in the caller's inlining budget.
      const mapped =
        mapUser === undefined && typeof user === 'object' && user !== null
          ? (user as unknown as User)
          : this.toUser(user);
      // The feature's own evaluator (chosen when compiled); explain keeps the general path.
      const reason = decide(cf, mapped, this.codeGroups, this.groupErrorHandler);
      // DEFAULT, the usual "off", in one compare; the rest through the list of "on" reasons.
      return reason !== 'DEFAULT' && isOnReason(reason);
    } catch (error) {
      // One call: the catch block counts in the inlining budget too.
      this.reportEvaluationError(error);
      return false;
    }
  }

  /** See `Rollout.explain`. */
  explain(user: U, name: string): Explanation {
    const sync = this.sync;
    const base = baseExplanation(name, {
      ready: sync.isReady,
      stale: sync.status === 'stale',
      staleSince: sync.staleSince,
      staleError: sync.staleError,
      revision: this.snapshot.revision,
    });
    if (!sync.isReady) {
      this.reportNotReady();
      return base;
    }
    const cf = this.snapshot.get(name);
    if (cf === undefined) return withReason(base, 'FEATURE_NOT_FOUND');
    base.version = cf.feature.version;
    try {
      const mapped = this.toUser(user);
      const id = mapped.id;
      if (typeof id === 'string' || typeof id === 'number') base.userId = id;
      const detail = this.detail;
      detail.group = undefined;
      detail.rule = -1;
      detail.position = -1;
      const reason = evaluateFeature(cf, mapped, this.codeGroups, this.groupErrorHandler, detail);
      explainEvaluation(base, cf, reason, detail);
      if (!isOnReason(reason)) return base;
      const index = chooseVariant(cf.variants, cf.rules, mapped, idOf(mapped), reason);
      return explainVariant(base, cf, mapped, index);
    } catch (error) {
      this.emit('error', evaluationError(error));
      return withReason(base, 'ERROR');
    }
  }

  /** See `Rollout.variant`: a result built when the feature was compiled, so nothing is allocated. */
  variant(user: U, name: string): VariantResult {
    if (this.sync.isReady !== true) {
      this.reportNotReady();
      return UNKNOWN_RESULTS.NOT_READY;
    }
    const cf = this.features.get(name);
    if (cf === undefined) return UNKNOWN_RESULTS.FEATURE_NOT_FOUND;
    try {
      const mapped = this.toUser(user);
      // The same specialised on/off decision as `can` (property-tested equal to
      // evaluateFeature); on for everyone is decided without it, as `decide` would.
      const reason =
        cf.kind === EvaluatorKind.ALL
          ? 'ALL'
          : decide(cf, mapped, this.codeGroups, this.groupErrorHandler);
      return variantResult(cf.variants, cf.rules, mapped, idOf(mapped), reason);
    } catch (error) {
      this.emit('error', evaluationError(error));
      return offResult(cf.variants, 'ERROR');
    }
  }

  /** See `Rollout.value`: the variant's (or off) value when its JSON type is the fallback's. */
  value<T extends JsonValue>(user: U, name: string, fallback: T): T {
    const value = this.variant(user, name).value;
    if (value === undefined || jsonKind(value) !== jsonKind(fallback)) return fallback;
    return value as T;
  }

  /** See `Rollout.defineGroup`. */
  defineGroup(name: string, predicate: (user: User) => boolean): void {
    const group = validateGroupName(name);
    if (group === GROUP_ALL || group === GROUP_NONE) {
      throw new ValidationError(
        'group',
        name,
        `${group} is a built-in group and cannot be defined`,
      );
    }
    if (typeof predicate !== 'function')
      throw new ValidationError('predicate', predicate, 'must be a function');
    this.codeGroups.set(group, predicate);
  }

  /** Names of the groups defined in code, sorted. */
  definedGroups(): string[] {
    return [...this.codeGroups.keys()].sort();
  }

  /** What a write takes the id from: a user object mapped as evaluation maps it, or an id as is. */
  userForId(userOrId: unknown): unknown {
    if (typeof userOrId === 'object' && userOrId !== null && this.mapUser)
      return this.mapUser(userOrId as U);
    return userOrId;
  }

  private toUser(user: U): User {
    const mapUser = this.mapUser;
    if (mapUser !== undefined) return mapUser(user);
    // The common case first: a user object is evaluated as it is.
    if (typeof user === 'object' && user !== null) return user as unknown as User;
    if (user === null || user === undefined) return EMPTY_USER;
    return { id: user as unknown as string | number };
  }

  /** Reports an exception thrown while evaluating (by `mapUser`, in practice). */
  private reportEvaluationError(error: unknown): void {
    this.emit('error', evaluationError(error));
  }

  private reportNotReady(): void {
    if (this.notReadyReported) return;
    this.notReadyReported = true;
    this.emit('error', new NotReadyError());
  }
}

/** An exception thrown while evaluating (by `mapUser`, in practice), as a typed error. */
function evaluationError(error: unknown): RolloutError {
  if (isRolloutError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ValidationError(
    'user',
    undefined,
    `mapping the user failed (${message}); answered off`,
    {
      cause: error,
    },
  );
}
