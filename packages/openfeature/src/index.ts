/**
 * @rollout/openfeature: an OpenFeature server provider (`@openfeature/server-sdk`)
 * over a rollout client.
 */

export {
  type EvaluationContextInput,
  type FlagResolution,
  type FlagValueType,
  InvalidContextError,
  type RolloutFlagMetadata,
  userFromContext,
} from './evaluation/index.js';
export type { RolloutProviderOptions } from './options.js';
export { RolloutProvider } from './rollout-provider.js';
