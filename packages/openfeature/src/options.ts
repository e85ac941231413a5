import { type FeatureStore, Rollout, ValidationError } from '@rollout/core';

/** Options of {@link RolloutProvider}: an existing client, or a store the provider opens a client on. */
export type RolloutProviderOptions =
  | {
      /** A client you own: the provider reads it and never closes it. */
      rollout: Rollout;
      store?: undefined;
    }
  | {
      /** A store: the provider opens a `Rollout` on it, and closes both in `onClose`. */
      store: FeatureStore;
      rollout?: undefined;
    };

/** The client the provider reads, and whether the provider owns it. */
export interface ProviderClient {
  rollout: Rollout;
  owned: boolean;
}

/** Checks the options and opens the client when given a store. */
export function providerClient(options: RolloutProviderOptions): ProviderClient {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError('options', options, 'must be { rollout } or { store }');
  }
  if (options.rollout !== undefined && options.store !== undefined) {
    throw new ValidationError('options', 'rollout+store', 'give either rollout or store, not both');
  }
  if (isRollout(options.rollout)) return { rollout: options.rollout, owned: false };
  if (options.store !== undefined && typeof options.store === 'object') {
    return { rollout: new Rollout({ store: options.store }), owned: true };
  }
  throw new ValidationError('options', options, 'must be { rollout } or { store }');
}

/** Duck-typed, so a client from another copy of @rollout/core (ESM beside CJS) is accepted too. */
function isRollout(value: unknown): value is Rollout {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Rollout).explain === 'function' &&
    typeof (value as Rollout).ready === 'function'
  );
}
