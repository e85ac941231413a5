/**
 * Stable, machine-readable error codes. A code never changes meaning between
 * releases; match on `error.code`, not on the message.
 */
export type RolloutErrorCode =
  | 'INVALID_INPUT'
  | 'FEATURE_NOT_FOUND'
  | 'FEATURE_EXISTS'
  | 'VERSION_CONFLICT'
  | 'STORE_UNAVAILABLE'
  | 'STORE_ERROR'
  | 'CORRUPT_DATA'
  | 'NOT_READY'
  | 'CLOSED'
  | 'DATA_LOST'
  | 'GROUP_PREDICATE_FAILED'
  | 'INVALID_STORE_URL'
  | 'HISTORY_UNSUPPORTED';

/** Options accepted by every rollout error constructor. */
export interface RolloutErrorOptions {
  /** The underlying error, kept so nothing about the failure is lost. */
  cause?: unknown;
}

/**
 * Base class of every error rollout throws or emits. `code` is stable;
 * `cause` keeps the underlying error (a driver's, the file system's).
 */
export class RolloutError extends Error {
  /** Stable string code; see {@link RolloutErrorCode}. */
  readonly code: RolloutErrorCode;

  constructor(code: RolloutErrorCode, message: string, options: RolloutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Input was rejected before anything reached the store. `field` names what was
 * wrong (for example `percentage` or `users[3]`), `value` is what was given.
 */
export class ValidationError extends RolloutError {
  /** Path of the offending field, e.g. `name`, `rules[0].operator`. */
  readonly field: string;
  /** The offending value as given (may be any type). */
  readonly value: unknown;

  constructor(
    field: string,
    value: unknown,
    problem: string,
    options: RolloutErrorOptions & { code?: 'INVALID_INPUT' | 'INVALID_STORE_URL' } = {},
  ) {
    super(
      options.code ?? 'INVALID_INPUT',
      `[rollout] invalid ${field} ${describeValue(value)}: ${problem}`,
      options,
    );
    this.field = field;
    this.value = value;
  }
}

/** A feature that a caller named does not exist (reads never throw this; `getFeature` returns `undefined`). */
export class FeatureNotFoundError extends RolloutError {
  /** The feature name that was not found. */
  readonly feature: string;
  constructor(feature: string, options: RolloutErrorOptions = {}) {
    super(
      'FEATURE_NOT_FOUND',
      `[rollout] feature ${JSON.stringify(feature)} does not exist`,
      options,
    );
    this.feature = feature;
  }
}

/** `addFeature` was asked to create a feature that already exists (pass `{ replace: true }` to overwrite). */
export class FeatureExistsError extends RolloutError {
  /** The feature name that already exists. */
  readonly feature: string;
  constructor(feature: string, options: RolloutErrorOptions = {}) {
    super(
      'FEATURE_EXISTS',
      `[rollout] feature ${JSON.stringify(feature)} already exists (pass { replace: true } to overwrite it)`,
      options,
    );
    this.feature = feature;
  }
}

/**
 * A compare-and-set write lost a race: the stored version was not the one the
 * writer read. Stores throw it from `put`/`remove`; the client retries, and
 * throws it to the caller only when retries are exhausted.
 */
export class VersionConflictError extends RolloutError {
  /** The feature the conflict was on. */
  readonly feature: string;
  constructor(feature: string, message?: string, options: RolloutErrorOptions = {}) {
    super(
      'VERSION_CONFLICT',
      message ?? `[rollout] feature ${JSON.stringify(feature)} was changed by another writer`,
      options,
    );
    this.feature = feature;
  }
}

/** Base class of errors raised by a store; `store` names the backend (`redis`, `file`, ...). */
export class StoreError extends RolloutError {
  /** The store's name, as in {@link FeatureStore.name}. */
  readonly store: string;
  constructor(
    store: string,
    message: string,
    options: RolloutErrorOptions & { code?: RolloutErrorCode } = {},
  ) {
    super(options.code ?? 'STORE_ERROR', `[rollout] [${store}] ${message}`, options);
    this.store = store;
  }
}

/**
 * The backend cannot be reached (connection refused, closed, timed out).
 * Nothing was written: a write that throws this was not applied.
 */
export class StoreUnavailableError extends StoreError {
  constructor(store: string, message: string, options: RolloutErrorOptions = {}) {
    super(store, message, { ...options, code: 'STORE_UNAVAILABLE' });
  }
}

/**
 * Stored data could not be read back (bad JSON, wrong shape, half-written file).
 * `location` says where (a file path and position, a key, a row).
 */
export class CorruptDataError extends StoreError {
  /** Where the bad data is: `flags.json:12:5`, `rollout:{feature}:x`, a table row. */
  readonly location: string;
  constructor(store: string, location: string, problem: string, options: RolloutErrorOptions = {}) {
    super(store, `corrupt data at ${location}: ${problem}`, { ...options, code: 'CORRUPT_DATA' });
    this.location = location;
  }
}

/**
 * The store's data vanished (memcache eviction or restart, a deleted file).
 * The client keeps serving its last snapshot and reports itself stale.
 */
export class DataLostError extends StoreError {
  constructor(store: string, message: string, options: RolloutErrorOptions = {}) {
    super(store, message, { ...options, code: 'DATA_LOST' });
  }
}

/**
 * The store keeps no change history (`capabilities.history` is false), so
 * `rollout.history` and `rollout.restore` cannot answer. `store` names it.
 */
export class HistoryUnsupportedError extends StoreError {
  constructor(store: string, reason = 'this store keeps no change history') {
    super(store, reason, { code: 'HISTORY_UNSUPPORTED' });
  }
}

/** `can` or `explain` was called before `ready()` resolved: the answer is the default (off). */
export class NotReadyError extends RolloutError {
  constructor(
    message = '[rollout] evaluated before ready(): answering off until the first snapshot loads',
  ) {
    super('NOT_READY', message);
  }
}

/** The client or store was closed; no further writes are possible. */
export class ClosedError extends RolloutError {
  constructor(what = 'client') {
    super('CLOSED', `[rollout] the ${what} is closed`);
  }
}

/** A group predicate defined with `defineGroup` threw; the user counted as not in the group. */
export class GroupPredicateError extends RolloutError {
  /** The group whose predicate threw. */
  readonly group: string;
  constructor(group: string, options: RolloutErrorOptions = {}) {
    super(
      'GROUP_PREDICATE_FAILED',
      `[rollout] the predicate of group ${JSON.stringify(group)} threw; the user counts as not in it`,
      options,
    );
    this.group = group;
  }
}

/**
 * A store URL could not be turned into a store: unknown scheme, malformed URL, or
 * the store package is not installed (`packageName` says which to install).
 * The message never contains the URL's password or secret query parameters.
 */
export class StoreUrlError extends ValidationError {
  /** The store package the URL needs, when the scheme is known. */
  readonly packageName: string | undefined;
  constructor(message: string, options: RolloutErrorOptions & { packageName?: string } = {}) {
    super('url', undefined, message, { ...options, code: 'INVALID_STORE_URL' });
    // The message is the whole sentence; ValidationError's "invalid url undefined:" frame adds nothing.
    this.message = `[rollout] ${message}`;
    this.packageName = options.packageName;
  }
}

const CODES: ReadonlySet<string> = new Set<RolloutErrorCode>([
  'INVALID_INPUT',
  'FEATURE_NOT_FOUND',
  'FEATURE_EXISTS',
  'VERSION_CONFLICT',
  'STORE_UNAVAILABLE',
  'STORE_ERROR',
  'CORRUPT_DATA',
  'NOT_READY',
  'CLOSED',
  'DATA_LOST',
  'GROUP_PREDICATE_FAILED',
  'INVALID_STORE_URL',
]);

/**
 * Returns true when `error` is a rollout error, optionally with the given code.
 * Also true for errors from another copy of @rollout/core (an ESM and a CJS copy
 * loaded side by side, two versions in one tree), where `instanceof` fails: those
 * are recognised by their stable code and the `[rollout]` message prefix.
 */
export function isRolloutError(error: unknown, code?: RolloutErrorCode): error is RolloutError {
  if (!(error instanceof Error)) return false;
  const actual = (error as { code?: unknown }).code;
  const ours =
    error instanceof RolloutError ||
    (typeof actual === 'string' && CODES.has(actual) && error.message.startsWith('[rollout]'));
  return ours && (code === undefined || actual === code);
}

/** Renders a value for an error message: short, quoted, never huge. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    text = String(value);
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (Array.isArray(value)) text = `array(${value.length})`;
  else if (typeof value === 'function') text = 'function';
  else if (typeof value === 'symbol') text = value.toString();
  else text = 'object';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
