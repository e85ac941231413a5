import { FeatureExistsError, FeatureNotFoundError } from '../errors.js';
import {
  FEATURE_CONTENT_FIELDS,
  type Feature,
  type FeatureInput,
  type FeaturePatch,
  GROUP_ALL,
  GROUP_NONE,
  type JsonValue,
} from '../model.js';
import { mutateFeature } from '../mutate.js';
import {
  type ApplyResult,
  applyOperations,
  editFeatureWith,
  type FeatureOperation,
} from '../operations.js';
import type { FeatureStore, HistoryAction, WriteContext } from '../store.js';
import { checkExpectedVersion, versionConflict } from '../store-kit/versions.js';
import { checkWriteContext, type WriteOptions } from '../validation/history.js';
import { validatePatch } from '../validation/patch.js';
import {
  assignVariantFields,
  checkVariantReferences,
  normalizeOffValue,
  normalizeVariants,
  validateVariantName,
} from '../validation/variants.js';
import {
  featureFromInput,
  validateFeatureName,
  validateGroupName,
  validatePercentage,
} from '../validation.js';
import { touchedIds } from './list-edit-compile.js';
import type { LocalSnapshot } from './local-snapshot.js';
import type { SyncLoop } from './sync-loop.js';

/** What the writer needs of the local snapshot: mark a write's start, read its copy, apply its result. */
export type WriteTarget = Pick<LocalSnapshot, 'sequence' | 'applyLocal' | 'get' | 'trackWrite'>;

/** Settings of {@link FeatureWriter}. */
export interface FeatureWriterOptions {
  store: FeatureStore;
  snapshot: WriteTarget;
  /** Throws ClosedError once the client is closed. */
  lifecycle: Pick<SyncLoop, 'assertOpen'>;
  /** The stored id of a user object or an id (the client maps users first). */
  userId: (userOrId: unknown) => string;
  /** Compare-and-set attempts per mutation. */
  writeAttempts: number;
  /** Who writes when a mutation names nobody (validated by the client). */
  actor: string | undefined;
  now: () => Date;
}

/**
 * Every mutation of the client. Each one is a compare-and-set read-modify-write
 * through {@link mutateFeature} (so concurrent writers anywhere lose nothing), and
 * its result is applied to the local snapshot at once (read-your-writes). Every
 * mutation takes {@link WriteOptions} last (who and why), which the store records
 * in its history with the write; a new mutation only passes them on to `change`.
 */
export class FeatureWriter {
  private readonly store: FeatureStore;
  private readonly snapshot: WriteTarget;
  private readonly lifecycle: Pick<SyncLoop, 'assertOpen'>;
  private readonly userId: (userOrId: unknown) => string;
  private readonly writeAttempts: number;
  private readonly actor: string | undefined;
  private readonly now: () => Date;

  constructor(options: FeatureWriterOptions) {
    this.store = options.store;
    this.snapshot = options.snapshot;
    this.lifecycle = options.lifecycle;
    this.userId = options.userId;
    this.writeAttempts = options.writeAttempts;
    this.actor = options.actor;
    this.now = options.now;
  }

  /** Creates a feature; FeatureExistsError if it exists, unless `replace` (which keeps `createdAt`). */
  async add(input: FeatureInput, replace: boolean, options?: WriteOptions): Promise<Feature> {
    this.lifecycle.assertOpen();
    const content = contentOf(featureFromInput(input, this.now().toISOString()));
    const context = this.context(options);
    return this.mutate(content.name, true, replace, context, (f, stored) => {
      if (stored && !replace) throw new FeatureExistsError(content.name);
      return Object.assign(f, content.fields);
    });
  }

  /**
   * Changes any of a feature's fields; FeatureNotFoundError if it does not exist.
   * With `expectedVersion`, the write happens only while the stored version is that
   * one (checked inside the compare-and-set loop, so no writer can slip in between);
   * otherwise VersionConflictError.
   */
  async update(
    name: string,
    patch: FeaturePatch,
    options?: WriteOptions & { expectedVersion?: number },
  ): Promise<Feature> {
    const { expectedVersion, ...write } = options ?? {};
    const expected =
      expectedVersion === undefined ? undefined : checkExpectedVersion(expectedVersion);
    const { variants, offValue, userVariants, ...plain } = validatePatch(patch);
    const fields = {
      ...(variants ? { variants } : {}),
      ...(offValue !== undefined ? { offValue } : {}),
      ...(userVariants ? { userVariants } : {}),
    };
    const context = this.context(write);
    return this.mutate(name, false, false, context, (f, stored) => {
      if (expected !== undefined && stored && stored.version !== expected) {
        throw versionConflict('client', stored.name, expected, stored.version);
      }
      return assignVariantFields(Object.assign(f, plain), fields);
    });
  }

  /**
   * Writes the content of `version` (a record out of history) back as a new version,
   * compare-and-set like every write, recording a `restore` entry; creates the feature
   * again when it was removed. Always a write, also when the content is the current one.
   */
  async restore(version: Feature, options?: WriteOptions): Promise<Feature> {
    const content = contentOf(version);
    const context = this.context(options, 'restore');
    // Fields the old version predates get their defaults, not the current values.
    const defaults = contentOf(featureFromInput({ name: content.name }, this.now().toISOString()));
    return this.mutate(content.name, true, true, context, (f) =>
      Object.assign(f, defaults.fields, structuredClone(content.fields)),
    );
  }

  /** Removes a feature; false when it did not exist. */
  async remove(name: string, options?: WriteOptions): Promise<boolean> {
    this.lifecycle.assertOpen();
    const checked = validateFeatureName(name);
    const context = this.context(options, 'remove');
    const removed = await this.store.remove(checked, undefined, context);
    // Also when it was already gone: another client may have removed it before this snapshot heard.
    this.snapshot.applyLocal(checked, undefined);
    return removed;
  }

  /** Adds group ALL, removes NONE. */
  async activate(name: string, options?: WriteOptions): Promise<Feature> {
    return this.change(name, options, [
      { op: 'removeGroups', groups: [GROUP_NONE] },
      { op: 'addGroups', groups: [GROUP_ALL] },
    ]);
  }

  /**
   * Clears groups, users (and their variant pins), percentage and rules; description,
   * data, the deny list, the variants and the offValue stay.
   */
  async deactivate(name: string, options?: WriteOptions): Promise<Feature> {
    return this.change(name, options, [
      { op: 'set', field: 'groups', value: [] },
      { op: 'set', field: 'users', value: [] },
      { op: 'setPercentage', percentage: 0 },
      { op: 'set', field: 'rules', value: [] },
      { op: 'unset', field: 'userVariants' },
    ]);
  }

  /**
   * Adds (`on`) or removes a user on the feature's list (`users`) or deny list
   * (`excludedUsers`). Adding to `users` with a `variant` pins the user to it; removing
   * from `users` drops the pin.
   */
  async setUser(
    name: string,
    list: 'users' | 'excludedUsers',
    userOrId: unknown,
    on: boolean,
    options?: WriteOptions & { variant?: string },
  ): Promise<Feature> {
    const users = [this.userId(userOrId)];
    const variant = options?.variant;
    if (list === 'excludedUsers')
      return this.change(name, options, [{ op: on ? 'exclude' : 'include', users }]);
    if (!on) return this.change(name, options, [{ op: 'removeUsers', users }]);
    if (variant === undefined) return this.change(name, options, [{ op: 'addUsers', users }]);
    return this.change(name, options, [
      { op: 'addUsers', users, variant: validateVariantName(variant) },
    ]);
  }

  /** Replaces the variants (and, when given, the offValue) in one write. */
  async setVariants(
    name: string,
    variants: unknown,
    options: WriteOptions & { offValue?: JsonValue } = {},
  ): Promise<Feature> {
    const list = normalizeVariants(variants);
    const fields =
      options.offValue === undefined
        ? { variants: list }
        : { variants: list, offValue: normalizeOffValue(options.offValue) };
    return this.edit(name, options, (f) => {
      assignVariantFields(f, fields);
    });
  }

  /**
   * Removes the variants, the users' pins and the variant names on rules (the rules
   * stay); the offValue stays.
   */
  async clearVariants(name: string, options?: WriteOptions): Promise<Feature> {
    return this.edit(name, options, (f) => {
      assignVariantFields(f, { variants: [], userVariants: [] });
      f.rules = f.rules.map(({ variant, ...rule }) => rule);
    });
  }

  /** Sets the value for users the feature is off for; undefined removes it. */
  async setOffValue(
    name: string,
    value: JsonValue | undefined,
    options?: WriteOptions,
  ): Promise<Feature> {
    return this.change(name, options, [
      value === undefined
        ? { op: 'unset', field: 'offValue' }
        : { op: 'set', field: 'offValue', value: normalizeOffValue(value) },
    ]);
  }

  /** Adds (`on`) or removes a group. */
  async setGroup(
    name: string,
    group: string,
    on: boolean,
    options?: WriteOptions,
  ): Promise<Feature> {
    const groups = [validateGroupName(group)];
    return this.change(name, options, [{ op: on ? 'addGroups' : 'removeGroups', groups }]);
  }

  /** Sets the percentage (validated, 0 to 100). */
  async setPercentage(name: string, percentage: number, options?: WriteOptions): Promise<Feature> {
    return this.change(name, options, [
      { op: 'setPercentage', percentage: validatePercentage(percentage) },
    ]);
  }

  /**
   * A gem-style mutation as operations: creates the feature when it does not exist,
   * then applies them. A store with `apply` does it atomically itself (one round trip,
   * nothing to retry); otherwise they run inside the compare-and-set loop, through the
   * same reference code (`editFeatureWith`), so both paths write the same record.
   */
  private async change(
    name: string,
    options: WriteOptions | undefined,
    operations: FeatureOperation[],
  ): Promise<Feature> {
    const context = this.context(options);
    const store = this.store;
    if (!store.capabilities.apply || !store.apply) {
      return this.mutate(name, true, false, context, (f) => {
        editFeatureWith(f, operations);
        return f;
      });
    }
    this.lifecycle.assertOpen();
    const checked = validateFeatureName(name);
    const written = this.applyWith(store.apply.bind(store), checked, operations, context);
    this.snapshot.trackWrite(checked, written);
    return written;
  }

  // The apply itself and its result applied locally (one promise: see trackWrite).
  private async applyWith(
    apply: NonNullable<FeatureStore['apply']>,
    checked: string,
    operations: FeatureOperation[],
    context: WriteContext,
  ): Promise<Feature> {
    const since = this.snapshot.sequence();
    const now = this.now().toISOString();
    const result = await apply(checked, operations, { create: true, now }, context);
    const feature =
      result.feature ??
      this.derive(checked, operations, result, now) ??
      (await this.readBack(checked));
    // Also when nothing was written: the store may hold a change this snapshot has not heard of.
    const write = { revision: result.revision, touched: touchedIds(operations) };
    this.snapshot.applyLocal(checked, feature, since, write);
    return feature;
  }

  /**
   * The record an `apply` wrote, when the store did not send it (it keeps lists apart
   * and answers in O(1)): derived from the local copy with the reference
   * `applyOperations` and the same `now` the store got, when that copy is the version
   * the write started from in the same life of the feature (same `createdAt`), or none
   * and the write created it. Unchanged: the local copy, when it is that version.
   * Otherwise undefined (the caller reads the feature back).
   */
  private derive(
    name: string,
    operations: readonly FeatureOperation[],
    result: ApplyResult,
    now: string,
  ): Feature | undefined {
    const held = this.snapshot.get(name)?.feature;
    if (held && held.createdAt !== result.createdAt) return undefined;
    if (!result.changed) return held?.version === result.version ? held : undefined;
    if ((held?.version ?? 0) !== result.version - 1) return undefined;
    try {
      const derived = applyOperations(name, held, operations, { create: true, now });
      const feature = { ...derived.feature, version: result.version };
      return derived.changed && feature.createdAt === result.createdAt ? feature : undefined;
    } catch {
      // The store took what the local copy refuses: the copy is not what the store had.
      return undefined;
    }
  }

  // The record of a write whose result did not carry it: read it (it exists: the write created it if needed).
  private async readBack(name: string): Promise<Feature> {
    const feature = await this.store.get(name);
    if (!feature) throw new FeatureNotFoundError(name);
    return feature;
  }

  /** A gem-style mutation that is not an operation: creates the feature when missing, edits it in place. */
  private edit(
    name: string,
    options: WriteOptions | undefined,
    edit: (f: Feature) => void,
  ): Promise<Feature> {
    return this.mutate(name, true, false, this.context(options), (f) => {
      edit(f);
      return f;
    });
  }

  /**
   * The store's write context of a mutation: the caller's actor (or the client's
   * default) and note, checked (ValidationError naming `actor` or `note`). Only these
   * two are taken from the caller; the action is the writer's to say.
   */
  private context(options: WriteOptions | undefined, action?: HistoryAction): WriteContext {
    const { actor = this.actor, note } = checkWriteContext(options);
    return {
      ...(action === undefined ? {} : { action }),
      ...(actor === undefined ? {} : { actor }),
      ...(note === undefined ? {} : { note }),
    };
  }

  private mutate(
    name: string,
    create: boolean,
    writeUnchanged: boolean,
    context: WriteContext,
    change: (f: Feature, stored: Feature | undefined) => Feature,
  ): Promise<Feature> {
    this.lifecycle.assertOpen();
    const checked = validateFeatureName(name);
    const written = this.mutateNow(checked, create, writeUnchanged, context, change);
    this.snapshot.trackWrite(checked, written);
    return written;
  }

  // The compare-and-set loop and its result applied locally (one promise: see trackWrite).
  private async mutateNow(
    checked: string,
    create: boolean,
    writeUnchanged: boolean,
    context: WriteContext,
    change: (f: Feature, stored: Feature | undefined) => Feature,
  ): Promise<Feature> {
    const since = this.snapshot.sequence();
    // Rules and pins name variants, and either can change apart from the list: every
    // result is checked whole, so no write leaves a name pointing at nothing.
    const checkedChange = (f: Feature, stored: Feature | undefined) => {
      const next = change(f, stored);
      checkVariantReferences(next);
      return next;
    };
    const result = await mutateFeature(this.store, checked, checkedChange, {
      create,
      writeUnchanged,
      context,
      maxAttempts: this.writeAttempts,
      now: this.now,
    });
    // Also when nothing was written: the store may already hold the change (made by
    // another client) that this snapshot has not caught up with yet.
    this.snapshot.applyLocal(checked, result.feature, since);
    return result.feature;
  }
}

/** A validated feature's name and the fields a write sets (everything but name, timestamps, version). */
function contentOf(feature: Feature): { name: string; fields: Partial<Feature> } {
  const fields: Record<string, unknown> = {};
  for (const field of FEATURE_CONTENT_FIELDS) {
    if (feature[field] !== undefined) fields[field] = feature[field];
  }
  return { name: feature.name, fields: fields as Partial<Feature> };
}
