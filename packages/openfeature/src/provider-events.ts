import { type OpenFeatureEventEmitter, ProviderEvents } from '@openfeature/server-sdk';
import { type Rollout, StoreError } from '@rollout/core';
import type { FeatureCatalog } from './evaluation/feature-catalog.js';

/**
 * Relays the client's events as OpenFeature provider events: a feature change from
 * any process (this one's writes included) → `ConfigurationChanged` with
 * `flagsChanged`; the store lost → `Stale`; the store back → `Ready`; a store
 * error → `Error`. Returns the function that stops relaying.
 */
export function relayEvents(
  rollout: Rollout,
  catalog: FeatureCatalog,
  events: OpenFeatureEventEmitter,
): () => void {
  const offs = [
    catalog.onChange((flagsChanged) =>
      events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged }),
    ),
    rollout.on('stale', ({ error, since }) =>
      events.emit(ProviderEvents.Stale, {
        message: `store unreachable since ${since}: ${error.message}`,
      }),
    ),
    rollout.on('fresh', () =>
      events.emit(ProviderEvents.Ready, { message: 'store reachable again' }),
    ),
    rollout.on('error', (error) => {
      // Only the store's errors: a throwing group predicate or a use before ready is the
      // app's problem, not the provider's state. Going stale is reported as `Stale`.
      if (!(error instanceof StoreError) || rollout.status === 'stale') return;
      events.emit(ProviderEvents.Error, { message: error.message, errorCode: undefined });
    }),
  ];
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
