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
  HistoryUnsupportedError,
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
export { EvaluatorKind } from './evaluator-kind.js';
export type {
  FlagDeclaration,
  FlagName,
  FlagValueOf,
  FlagVariantOf,
  FlagVariantResult,
  RolloutFlags,
  Widened,
} from './flag-types.js';
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
  type UserVariant,
  type Variant,
} from './model.js';
export { type MutateOptions, type MutateResult, mutateFeature, sameContent } from './mutate.js';
export {
  type OpenStoreOptions,
  openStore,
  type ParsedStoreUrl,
  parseStoreUrl,
  redactStoreUrl,
} from './open-store.js';
export {
  type AppliedOperations,
  type ApplyOptions,
  type ApplyResult,
  applyOperations,
  checkOperations,
  type FeatureOperation,
  MAX_OPERATIONS,
  type SettableField,
  type UnsettableField,
} from './operations.js';
export { OPEN_FEATURE_REASONS, type OpenFeatureReason, type Reason } from './reasons.js';
export {
  type AllFlagsOptions,
  type Explanation,
  type FeatureChangeEvent,
  type FlagAnswers,
  type HistoryPageOptions,
  Rollout,
  type RolloutEvents,
  type RolloutOptions,
  type RolloutStatus,
  type UpdateOptions,
  type VariantResult,
} from './rollout.js';
export { compareSemver, parseSemver, type SemVer } from './semver.js';
export type {
  FeatureStore,
  HistoryAction,
  HistoryEntry,
  HistoryQuery,
  StoreCapabilities,
  StoreChange,
  StoreListener,
  StoreSnapshot,
  WriteContext,
} from './store.js';
export { checkApplyArguments } from './store-kit/apply-arguments.js';
export {
  registerStore,
  STORE_PACKAGES,
  type StoreFromUrl,
  type StoreLoader,
  type StoreModule,
  storePackageFor,
} from './store-registry.js';
export {
  checkHistoryQuery,
  checkWriteContext,
  validateActor,
  validateNote,
  type WriteOptions,
} from './validation/history.js';
export {
  checkVariantReferences,
  featureFromInput,
  normalizeData,
  normalizeGroupList,
  normalizeOffValue,
  normalizeRules,
  normalizeUserId,
  normalizeUserList,
  normalizeUserVariants,
  normalizeVariants,
  parseFeature,
  SINGLE_VALUE_OPERATORS,
  userIdOf,
  validateFeatureName,
  validateGroupName,
  validatePercentage,
  validateVariantName,
  validateWeight,
} from './validation.js';
export {
  bucketedVariant,
  variantBounds,
  variantBucketOf,
  variantIndexOf,
} from './variant-bucket.js';
