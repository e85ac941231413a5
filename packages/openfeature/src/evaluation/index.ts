/**
 * `@rollout/openfeature/evaluation`: the part of the provider that needs no
 * OpenFeature SDK (context mapping, the feature catalog, value resolution), shared
 * with `@rollout/server`.
 */
export { type EvaluationContextInput, InvalidContextError, userFromContext } from './context.js';
export { type CatalogEntry, type CatalogListener, FeatureCatalog } from './feature-catalog.js';
export {
  type FlagResolution,
  type FlagValueType,
  type ResolutionErrorCode,
  type RolloutFlagMetadata,
  resolveAll,
  resolveFlag,
  resolveTyped,
} from './resolve-value.js';
