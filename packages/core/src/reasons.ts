/**
 * Why an evaluation came out as it did: the step of the documented order that
 * decided. Stable strings; each maps onto an OpenFeature resolution reason.
 */
export type Reason =
  | 'NOT_READY'
  | 'FEATURE_NOT_FOUND'
  | 'KILL_SWITCH'
  | 'USER_EXCLUDED'
  | 'ALL'
  | 'USER_LISTED'
  | 'GROUP'
  | 'RULE'
  | 'PERCENTAGE'
  | 'DEFAULT'
  | 'ERROR';

/** OpenFeature's resolution reasons (the subset rollout produces). */
export type OpenFeatureReason =
  | 'STATIC'
  | 'TARGETING_MATCH'
  | 'SPLIT'
  | 'DISABLED'
  | 'DEFAULT'
  | 'ERROR';

/** How each rollout reason maps onto OpenFeature's reasons. */
export const OPEN_FEATURE_REASONS: Readonly<Record<Reason, OpenFeatureReason>> = {
  NOT_READY: 'ERROR',
  FEATURE_NOT_FOUND: 'ERROR',
  KILL_SWITCH: 'DISABLED',
  USER_EXCLUDED: 'TARGETING_MATCH',
  ALL: 'STATIC',
  USER_LISTED: 'TARGETING_MATCH',
  GROUP: 'TARGETING_MATCH',
  RULE: 'TARGETING_MATCH',
  PERCENTAGE: 'SPLIT',
  DEFAULT: 'DEFAULT',
  ERROR: 'ERROR',
};
