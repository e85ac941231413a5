import type { Feature, FeatureInput, FeaturePatch, Rollout } from '@rollout/core';

/** Who made a write and why: the mutation options history records (issue 12). */
export interface WriteAttribution {
  actor: string;
  note?: string;
}

/**
 * The client's mutations as the admin API calls them: each with the caller's
 * attribution. A client whose mutations do not take attribution yet ignores the
 * extra option (a method with fewer parameters satisfies this shape), so the
 * actor is recorded as soon as the client records history.
 */
export interface AttributedWriter {
  addFeature(
    input: FeatureInput,
    options: WriteAttribution & { replace?: boolean },
  ): Promise<Feature>;
  updateFeature(
    name: string,
    patch: FeaturePatch,
    options: WriteAttribution & { expectedVersion?: number },
  ): Promise<Feature>;
  removeFeature(name: string, options: WriteAttribution): Promise<boolean>;
}

/** The client, seen as an {@link AttributedWriter}. */
export function attributedWriter(rollout: Rollout): AttributedWriter {
  return rollout;
}
