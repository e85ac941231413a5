import { type Feature, GROUP_ALL, GROUP_NONE } from '@rollout/core';

/** A feature at a glance: on for everyone, off for everyone, or on for some. */
export type FeatureState = 'on' | 'off' | 'partial';

/** One row of `GET /api/features`. */
export interface FeatureSummary {
  name: string;
  description: string;
  state: FeatureState;
  /** True when the kill switch (group NONE) is set: off whatever else it has. */
  killed: boolean;
  version: number;
  updatedAt: string;
}

/** The state a feature's gates add up to, in the evaluation order's terms. */
export function featureState(f: Feature): FeatureState {
  if (f.groups.includes(GROUP_NONE)) return 'off';
  if (f.groups.includes(GROUP_ALL) || f.percentage >= 100) return 'on';
  const some = f.users.length + f.groups.length + f.rules.length > 0 || f.percentage > 0;
  return some ? 'partial' : 'off';
}

/** The list row of a feature. */
export function summarize(f: Feature): FeatureSummary {
  return {
    name: f.name,
    description: f.description,
    state: featureState(f),
    killed: f.groups.includes(GROUP_NONE),
    version: f.version,
    updatedAt: f.updatedAt,
  };
}

/** Whether a feature matches a search: every word in its name or description, ignoring case. */
export function matchesQuery(f: Feature, query: string): boolean {
  const haystack = `${f.name}\n${f.description}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}
