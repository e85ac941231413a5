/**
 * @rollout/core: feature flags for TypeScript services. Pure evaluation, bucketing,
 * validation, the `Rollout` client and the store contract; no I/O of its own.
 */
export { BUCKETS, bucketOf, DEFAULT_HASH_VERSION, percentageThreshold } from './bucket.js';
export { crc32 } from './crc32.js';
export { TypedEmitter } from './emitter.js';
export {
  ClosedError,
  CorruptDataError,
  DataLostError,
  describeValue,
  FeatureExistsError,
  FeatureNotFoundError,
  GroupPredicateError,
  isRolloutError,
  NotReadyError,
  RolloutError,
  type RolloutErrorCode,
  type RolloutErrorOptions,
  StoreError,
  StoreUnavailableError,
  StoreUrlError,
  ValidationError,
  VersionConflictError,
} from './errors.js';
export {
  type CompiledFeature,
  compileFeature,
  type EvaluationDetail,
  evaluateFeature,
  type GroupPredicate,
  isOnReason,
} from './evaluate.js';
export {
  HASH_GEM,
  HASH_GEM_ID_MODULO,
  HASH_GEM_MODULO,
  HASH_GEM_MODULO_RANDOMIZED,
  HASH_GEM_RANDOMIZED,
  HASH_GEM_THOUSANDTHS,
  HASH_GEM_THOUSANDTHS_RANDOMIZED,
} from './gem-hash.js';
export { type BucketHash, HASH_V1, hashVersion, hashVersions } from './hash-versions.js';
export { LIMITS } from './limits.js';
export {
  type Condition,
  type ConditionValue,
  FEATURE_CONTENT_FIELDS,
  type Feature,
  type FeatureContentField,
  type FeatureInput,
  type FeaturePatch,
  GROUP_ALL,
  GROUP_NONE,
  type JsonObject,
  type JsonValue,
  OPERATORS,
  type Operator,
  type Rule,
  type RuleInput,
  type User,
  type UserId,
} from './model.js';
export { type MutateOptions, type MutateResult, mutateFeature, sameContent } from './mutate.js';
export {
  type OpenStoreOptions,
  openStore,
  type ParsedStoreUrl,
  parseStoreUrl,
  redactStoreUrl,
  STORE_PACKAGES,
  type StoreFromUrl,
} from './open-store.js';
export { OPEN_FEATURE_REASONS, type OpenFeatureReason, type Reason } from './reasons.js';
export {
  type Explanation,
  type FeatureChangeEvent,
  Rollout,
  type RolloutEvents,
  type RolloutOptions,
  type RolloutStatus,
  type UpdateOptions,
} from './rollout.js';
export { compareSemver, parseSemver, type SemVer } from './semver.js';
export type {
  FeatureStore,
  HistoryEntry,
  StoreCapabilities,
  StoreChange,
  StoreListener,
  StoreSnapshot,
} from './store.js';
export {
  featureFromInput,
  normalizeData,
  normalizeGroupList,
  normalizeRules,
  normalizeUserId,
  normalizeUserList,
  parseFeature,
  SINGLE_VALUE_OPERATORS,
  userIdOf,
  validateFeatureName,
  validateGroupName,
  validatePercentage,
} from './validation.js';
