import {
  type Condition,
  type Feature,
  GROUP_ALL,
  GROUP_NONE,
  hashVersion,
  type Rule,
} from '@rollout/core';
import type { Output, Style } from './output.js';

/** A feature's state in one word, as `list` shows it. */
export type FeatureStatus = 'on' | 'off' | 'killed' | 'partial';

/** `killed` (group NONE), `on` (group ALL or 100 %), `off` (nothing opens it) or `partial`. */
export function featureStatus(f: Feature): FeatureStatus {
  if (f.groups.includes(GROUP_NONE)) return 'killed';
  if (f.groups.includes(GROUP_ALL)) return 'on';
  if (f.percentage >= 100) return 'on';
  if (f.percentage === 0 && f.users.length === 0 && f.groups.length === 0 && f.rules.length === 0) {
    return 'off';
  }
  return 'partial';
}

/** The colour of a status. */
export function statusStyle(status: FeatureStatus): Style {
  return status === 'on'
    ? 'green'
    : status === 'killed'
      ? 'red'
      : status === 'partial'
        ? 'yellow'
        : 'dim';
}

/** "20 %" without trailing zeros. */
export function formatPercentage(p: number): string {
  return `${Number(p.toFixed(3))} %`;
}

/** One condition as text: `country in NZ, AU`. */
export function formatCondition(c: Condition): string {
  return `${c.attribute} ${c.operator} ${c.values.map((v) => JSON.stringify(v)).join(', ')}`;
}

/** One rule as text: conditions joined by "and", and the variant it gives. */
export function formatRule(r: Rule): string {
  const text = r.conditions.map(formatCondition).join(' and ');
  return r.variant === undefined ? text : `${text} → variant ${r.variant}`;
}

/** A feature's variants as text: `red 60 %, blue 40 %` (`-` when it has none). */
export function formatVariants(f: Pick<Feature, 'variants'>): string {
  if (!f.variants) return '-';
  return f.variants.map((v) => `${v.name} ${formatPercentage(v.weight)}`).join(', ');
}

/** One variant per line with its value (the `show` command). */
function variantLines(f: Feature): string {
  if (!f.variants) return '-';
  return f.variants
    .map((v) => `${v.name} ${formatPercentage(v.weight)} = ${preview(JSON.stringify(v.value))}`)
    .join('\n');
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A short summary of what opens the feature: `20 %, 3 users, groups vip, 1 rule`. */
export function featureSummary(f: Feature): string {
  const parts: string[] = [];
  if (f.groups.includes(GROUP_NONE)) parts.push('killed (NONE)');
  if (f.groups.includes(GROUP_ALL)) parts.push('everyone (ALL)');
  const groups = f.groups.filter((g) => g !== GROUP_ALL && g !== GROUP_NONE);
  if (groups.length > 0) parts.push(`groups ${groups.join(', ')}`);
  if (f.users.length > 0) parts.push(`${f.users.length} user${f.users.length === 1 ? '' : 's'}`);
  if (f.rules.length > 0) parts.push(`${f.rules.length} rule${f.rules.length === 1 ? '' : 's'}`);
  if (f.percentage > 0) parts.push(formatPercentage(f.percentage));
  if (f.excludedUsers.length > 0) parts.push(`${f.excludedUsers.length} excluded`);
  if (f.variants) parts.push(`${f.variants.length} variant${f.variants.length === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'off for everyone';
}

function listPreview(list: readonly string[], limit: number): string {
  if (list.length === 0) return '-';
  const shown = list.slice(0, limit).join(', ');
  return list.length > limit
    ? `${shown} … and ${list.length - limit} more (--json shows all)`
    : shown;
}

/** Prints a feature as `key  value` lines (the `show` command). */
export function printFeature(out: Output, f: Feature): void {
  const status = featureStatus(f);
  const hash = hashVersion(f.hashVersion);
  const rows: [string, string][] = [
    ['name', out.style('bold', f.name)],
    ['status', out.style(statusStyle(status), status)],
    ['summary', featureSummary(f)],
    ['description', f.description || '-'],
    ['groups', listPreview(f.groups, 50)],
    ['users', listPreview(f.users, 20)],
    ['excluded', listPreview(f.excludedUsers, 20)],
    ['percentage', formatPercentage(f.percentage)],
    [
      'rules',
      f.rules.length === 0 ? '-' : f.rules.map((r, i) => `${i + 1}. ${formatRule(r)}`).join('\n'),
    ],
    ['data', Object.keys(f.data).length === 0 ? '-' : JSON.stringify(f.data)],
    ['variants', variantLines(f)],
    ['off value', 'offValue' in f ? preview(JSON.stringify(f.offValue)) : '-'],
    [
      'pinned',
      f.userVariants
        ? listPreview(
            f.userVariants.map((p) => `${p.user} → ${p.variant}`),
            20,
          )
        : '-',
    ],
    ['hash version', `${f.hashVersion}${hash ? ` (${hash.description})` : ''}`],
    ['version', String(f.version)],
    ['created', f.createdAt],
    ['updated', f.updatedAt],
  ];
  for (const [key, value] of rows) {
    const [first = '', ...more] = value.split('\n');
    out.line(`${out.style('dim', key.padEnd(13))}${first}`);
    for (const line of more) out.line(`${' '.repeat(13)}${line}`);
  }
}
