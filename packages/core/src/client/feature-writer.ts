import { FeatureExistsError } from '../errors.js';
import {
  type Feature,
  type FeatureInput,
  type FeaturePatch,
  GROUP_ALL,
  GROUP_NONE,
} from '../model.js';
import { mutateFeature } from '../mutate.js';
import type { FeatureStore } from '../store.js';
import { checkExpectedVersion, versionConflict } from '../store-kit/versions.js';
import { validatePatch } from '../validation/patch.js';
import {
  featureFromInput,
  validateFeatureName,
  validateGroupName,
  validatePercentage,
} from '../validation.js';
import type { LocalSnapshot } from './local-snapshot.js';
import type { SyncLoop } from './sync-loop.js';

/** What the writer needs of the local snapshot: mark a write's start, apply its result. */
export type WriteTarget = Pick<LocalSnapshot, 'sequence' | 'applyLocal'>;

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
  now: () => Date;
}

/**
 * Every mutation of the client. Each one is a compare-and-set read-modify-write
 * through {@link mutateFeature} (so concurrent writers anywhere lose nothing), and
 * its result is applied to the local snapshot at once (read-your-writes).
 */
export class FeatureWriter {
  private readonly store: FeatureStore;
  private readonly snapshot: WriteTarget;
  private readonly lifecycle: Pick<SyncLoop, 'assertOpen'>;
  private readonly userId: (userOrId: unknown) => string;
  private readonly writeAttempts: number;
  private readonly now: () => Date;

  constructor(options: FeatureWriterOptions) {
    this.store = options.store;
    this.snapshot = options.snapshot;
    this.lifecycle = options.lifecycle;
    this.userId = options.userId;
    this.writeAttempts = options.writeAttempts;
    this.now = options.now;
  }

  /** Creates a feature; FeatureExistsError if it exists, unless `replace` (which keeps `createdAt`). */
  async add(input: FeatureInput, replace: boolean): Promise<Feature> {
    this.lifecycle.assertOpen();
    const content = contentOf(featureFromInput(input, this.now().toISOString()));
    return this.mutate(content.name, true, replace, (f, stored) => {
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
  async update(name: string, patch: FeaturePatch, expectedVersion?: number): Promise<Feature> {
    const checked = validatePatch(patch);
    const expected =
      expectedVersion === undefined ? undefined : checkExpectedVersion(expectedVersion);
    return this.mutate(name, false, false, (f, stored) => {
      if (expected !== undefined && stored && stored.version !== expected) {
        throw versionConflict('client', stored.name, expected, stored.version);
      }
      return Object.assign(f, checked);
    });
  }

  /** Removes a feature; false when it did not exist. */
  async remove(name: string): Promise<boolean> {
    this.lifecycle.assertOpen();
    const checked = validateFeatureName(name);
    const removed = await this.store.remove(checked);
    // Also when it was already gone: another client may have removed it before this snapshot heard.
    this.snapshot.applyLocal(checked, undefined);
    return removed;
  }

  /** Adds group ALL, removes NONE. */
  async activate(name: string): Promise<Feature> {
    return this.change(name, (f) => {
      f.groups = sortedWith(
        f.groups.filter((g) => g !== GROUP_NONE),
        GROUP_ALL,
      );
    });
  }

  /** Clears groups, users, percentage and rules; description, data and the deny list stay. */
  async deactivate(name: string): Promise<Feature> {
    return this.change(name, (f) => {
      f.groups = [];
      f.users = [];
      f.percentage = 0;
      f.rules = [];
    });
  }

  /** Adds (`on`) or removes a user on the feature's list (`users`) or deny list (`excludedUsers`). */
  async setUser(
    name: string,
    list: 'users' | 'excludedUsers',
    userOrId: unknown,
    on: boolean,
  ): Promise<Feature> {
    const id = this.userId(userOrId);
    return this.change(name, (f) => {
      f[list] = on ? sortedWith(f[list], id) : f[list].filter((u) => u !== id);
    });
  }

  /** Adds (`on`) or removes a group. */
  async setGroup(name: string, group: string, on: boolean): Promise<Feature> {
    const g = validateGroupName(group);
    return this.change(name, (f) => {
      f.groups = on ? sortedWith(f.groups, g) : f.groups.filter((x) => x !== g);
    });
  }

  /** Sets the percentage (validated, 0 to 100). */
  async setPercentage(name: string, percentage: number): Promise<Feature> {
    const p = validatePercentage(percentage);
    return this.change(name, (f) => {
      f.percentage = p;
    });
  }

  /** A gem-style mutation: creates the feature when it does not exist, then edits it in place. */
  private change(name: string, edit: (f: Feature) => void): Promise<Feature> {
    return this.mutate(name, true, false, (f) => {
      edit(f);
      return f;
    });
  }

  private async mutate(
    name: string,
    create: boolean,
    writeUnchanged: boolean,
    change: (f: Feature, stored: Feature | undefined) => Feature,
  ): Promise<Feature> {
    this.lifecycle.assertOpen();
    const checked = validateFeatureName(name);
    const since = this.snapshot.sequence();
    const result = await mutateFeature(this.store, checked, change, {
      create,
      writeUnchanged,
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
  const { name, createdAt, updatedAt, version, ...fields } = feature;
  return { name, fields };
}

function sortedWith(list: readonly string[], value: string): string[] {
  if (list.includes(value)) return [...list];
  const out = [...list, value];
  out.sort();
  return out;
}
