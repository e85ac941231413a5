import {
  ErrorCode,
  type EvaluationContext,
  type FlagMetadata,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  type ResolutionDetails,
  type ResolutionReason,
} from '@openfeature/server-sdk';
import type { Rollout } from '@rollout/core';
import { InvalidContextError, userFromContext } from './evaluation/context.js';
import { FeatureCatalog } from './evaluation/feature-catalog.js';
import { type FlagValueType, resolveTyped } from './evaluation/resolve-value.js';
import { providerClient, type RolloutProviderOptions } from './options.js';
import { relayEvents } from './provider-events.js';

/**
 * An OpenFeature server provider over a rollout client. Every resolution is
 * synchronous work on the client's local snapshot (no I/O per evaluation) and
 * carries `variant`, `reason` (core's `OPEN_FEATURE_REASONS`) and `flagMetadata`
 * (`hashVersion`, `version`, `rolloutReason`, `revision`, `stale`).
 *
 * String, number and object flags are features with variants: the value is the
 * user's variant's value (`offValue` when off; the default when off without one),
 * `TYPE_MISMATCH` when it has another JSON type. A boolean ask answers every feature:
 * its value when that is a boolean, else whether it is on (`rollout.can`). See
 * `resolveTyped`.
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new RolloutProvider({ store: new RedisStore({ url }) }));
 * const enabled = await OpenFeature.getClient().getBooleanValue('new_checkout', false, { targetingKey: '42' });
 * ```
 */
export class RolloutProvider implements Provider {
  /** OpenFeature provider metadata; `name` is `rollout`. */
  readonly metadata = { name: 'rollout' } as const;
  readonly runsOn = 'server';
  /** Provider events: `ConfigurationChanged` (with `flagsChanged`), `Stale`, `Ready`, `Error`. */
  readonly events = new OpenFeatureEventEmitter();
  /** The client this provider reads. */
  readonly rollout: Rollout;
  private readonly owned: boolean;
  private readonly catalog: FeatureCatalog;
  private readonly stopRelay: () => void;

  /** `new RolloutProvider({ rollout })` reads your client; `({ store })` opens one and owns it. */
  constructor(options: RolloutProviderOptions) {
    const { rollout, owned } = providerClient(options);
    this.rollout = rollout;
    this.owned = owned;
    this.catalog = new FeatureCatalog(rollout);
    this.stopRelay = relayEvents(rollout, this.catalog, this.events);
  }

  /** Resolves once the client has loaded its first snapshot; rejects if it cannot. */
  async initialize(): Promise<void> {
    await this.rollout.ready();
  }

  /** Stops relaying events; closes the client (and its store) when the provider opened it. */
  async onClose(): Promise<void> {
    this.stopRelay();
    this.catalog.close();
    if (this.owned) await this.rollout.close();
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, context, 'boolean');
  }

  async resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, context, 'string');
  }

  async resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return this.resolve(flagKey, defaultValue, context, 'number');
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.resolve(flagKey, defaultValue, context, 'object');
  }

  private resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    type: FlagValueType,
  ): ResolutionDetails<T> {
    let user: ReturnType<typeof userFromContext>;
    try {
      user = userFromContext(context);
    } catch (error) {
      const message = error instanceof InvalidContextError ? error.message : String(error);
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: ErrorCode.INVALID_CONTEXT,
        errorMessage: message,
      };
    }
    const r = resolveTyped(this.rollout, this.catalog, user, flagKey, type);
    // Built for this call and free of undefined values, as OpenFeature's metadata must be.
    const flagMetadata = r.flagMetadata as FlagMetadata;
    if (r.errorCode !== undefined) {
      return {
        value: defaultValue,
        reason: r.reason as ResolutionReason,
        errorCode: r.errorCode as ErrorCode,
        errorMessage: r.errorMessage,
        flagMetadata,
      };
    }
    return {
      // No value: a feature with variants that is off without an offValue defers to the code default.
      value: r.value === undefined ? defaultValue : (r.value as T),
      variant: r.variant,
      reason: r.reason as ResolutionReason,
      flagMetadata,
    };
  }
}
