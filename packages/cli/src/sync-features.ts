import {
  FEATURE_CONTENT_FIELDS,
  type Feature,
  type FeatureStore,
  mutateFeature,
} from '@rollout/core';
import { diffFeatures, type FeatureContent } from './feature-diff.js';

/** What an import did (or, in a dry run, would do) to one feature. */
export type SyncAction = 'created' | 'updated' | 'unchanged' | 'removed';

/** The outcome for one feature. */
export interface SyncResult {
  name: string;
  action: SyncAction;
  /** Human-readable field changes (`percentage 10 % → 20 %`). */
  changes: string[];
}

/** Content fields an import may write. */
export type ContentField = keyof FeatureContent;

/** Every content field: a full import replaces them all. */
export const ALL_CONTENT_FIELDS: readonly ContentField[] = FEATURE_CONTENT_FIELDS;

function withFields(base: Feature, desired: Feature, fields: readonly ContentField[]): Feature {
  const next: Feature = structuredClone(base);
  const target = next as unknown as Record<string, unknown>;
  for (const field of fields) {
    // An optional field the file leaves out (variants, offValue, pins) is removed, not set to undefined.
    if (desired[field] === undefined) delete target[field];
    else target[field] = structuredClone(desired[field]);
  }
  return next;
}

/**
 * Writes `fields` of `desired` into the store as one compare-and-set write
 * (core's `mutateFeature`: re-read and retry on a concurrent change), creating the
 * feature when it does not exist. Nothing is written when the content is already
 * the same.
 */
export async function applyFeature(
  store: FeatureStore,
  desired: Feature,
  fields: readonly ContentField[],
): Promise<SyncResult> {
  let before: Feature | undefined;
  const result = await mutateFeature(
    store,
    desired.name,
    (current) => {
      // The base of the attempt that wins; version 0 means "did not exist".
      before = structuredClone(current);
      return withFields(current, desired, fields);
    },
    { create: true },
  );
  const existed = before !== undefined && before.version > 0;
  if (!result.changed) return { name: desired.name, action: 'unchanged', changes: [] };
  return {
    name: desired.name,
    action: existed ? 'updated' : 'created',
    changes: diffFeatures(existed ? before : undefined, result.feature),
  };
}

/** What {@link applyFeature} would do, without writing (for `--dry-run`). */
export async function planFeature(
  store: FeatureStore,
  desired: Feature,
  fields: readonly ContentField[],
): Promise<SyncResult> {
  const current = await store.get(desired.name);
  if (!current) {
    return { name: desired.name, action: 'created', changes: diffFeatures(undefined, desired) };
  }
  const changes = diffFeatures(current, withFields(current, desired, fields));
  return { name: desired.name, action: changes.length > 0 ? 'updated' : 'unchanged', changes };
}
