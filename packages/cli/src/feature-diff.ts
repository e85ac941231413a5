import type { Feature, FeatureContentField } from '@rollout/core';
import { formatPercentage, formatRule, formatVariants } from './feature-view.js';

/** The fields a diff compares: everything but bookkeeping (version, timestamps). */
export type FeatureContent = Pick<Feature, FeatureContentField>;

function setDiff(label: string, before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  const now = new Set(after);
  const added = after.filter((x) => !was.has(x));
  const removed = before.filter((x) => !now.has(x));
  if (added.length === 0 && removed.length === 0) return [];
  const show = (xs: string[]) =>
    xs.length <= 5 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')} … (${xs.length})`;
  const parts: string[] = [];
  if (added.length > 0) parts.push(`+${show(added)}`);
  if (removed.length > 0) parts.push(`-${show(removed)}`);
  return [`${label} ${parts.join(' ')}`];
}

/**
 * Human-readable differences between two versions of a feature, one string per
 * changed field (`percentage 10 % → 20 %`, `users +42 -7`). Empty when the
 * content is the same.
 */
export function diffFeatures(before: FeatureContent | undefined, after: FeatureContent): string[] {
  const b: FeatureContent = before ?? {
    description: '',
    groups: [],
    users: [],
    excludedUsers: [],
    percentage: 0,
    rules: [],
    data: {},
    hashVersion: after.hashVersion,
  };
  const out: string[] = [];
  if (b.description !== after.description) {
    out.push(`description ${JSON.stringify(b.description)} → ${JSON.stringify(after.description)}`);
  }
  out.push(...setDiff('groups', b.groups, after.groups));
  out.push(...setDiff('users', b.users, after.users));
  out.push(...setDiff('excluded', b.excludedUsers, after.excludedUsers));
  if (b.percentage !== after.percentage) {
    out.push(
      `percentage ${formatPercentage(b.percentage)} → ${formatPercentage(after.percentage)}`,
    );
  }
  const rulesBefore = b.rules.map(formatRule);
  const rulesAfter = after.rules.map(formatRule);
  if (JSON.stringify(rulesBefore) !== JSON.stringify(rulesAfter)) {
    out.push(`rules [${rulesBefore.join('; ')}] → [${rulesAfter.join('; ')}]`);
  }
  if (JSON.stringify(b.data) !== JSON.stringify(after.data)) {
    out.push(`data ${JSON.stringify(b.data)} → ${JSON.stringify(after.data)}`);
  }
  if (b.hashVersion !== after.hashVersion)
    out.push(`hash version ${b.hashVersion} → ${after.hashVersion}`);
  out.push(...variantDiff(b, after));
  return out;
}

function variantDiff(b: FeatureContent, after: FeatureContent): string[] {
  const out: string[] = [];
  if (JSON.stringify(b.variants) !== JSON.stringify(after.variants)) {
    out.push(`variants [${formatVariants(b)}] → [${formatVariants(after)}]`);
  }
  const off = (f: FeatureContent) => ('offValue' in f ? JSON.stringify(f.offValue) : '-');
  if (off(b) !== off(after)) out.push(`off value ${off(b)} → ${off(after)}`);
  const pins = (f: FeatureContent) => (f.userVariants ?? []).map((p) => `${p.user}→${p.variant}`);
  out.push(...setDiff('pinned', pins(b), pins(after)));
  return out;
}
