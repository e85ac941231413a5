export const OPERATOR_LABELS = {
  eq: 'equals',
  neq: 'does not equal',
  in: 'is one of',
  notIn: 'is none of',
  lt: 'less than',
  lte: 'at most',
  gt: 'greater than',
  gte: 'at least',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
  semverEq: 'version equals',
  semverLt: 'version below',
  semverLte: 'version at most',
  semverGt: 'version above',
  semverGte: 'version at least',
  before: 'date before',
  after: 'date after',
};

export const FIELD_LABELS = {
  description: 'description',
  groups: 'groups',
  users: 'users',
  excludedUsers: 'deny list',
  percentage: 'percentage',
  rules: 'rules',
  data: 'data',
  variants: 'variants',
  offValue: 'off value',
  userVariants: 'pinned users',
};

export function describeValue(key, value) {
  if (key === 'rules' && Array.isArray(value))
    return value.length ? value.map(ruleText).join(' OR ') : 'none';
  if (key === 'percentage') return `${value} %`;
  if (value === undefined) return 'none';
  if (key === 'data' || key === 'variants' || key === 'offValue' || key === 'userVariants')
    return JSON.stringify(value);
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return value === '' ? '(empty)' : String(value);
}

/** The fields that differ between two versions of a feature, as "field: old → new" lines. */
export function differences(before, after) {
  const out = [];
  for (const key of Object.keys(FIELD_LABELS)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      out.push(
        `${FIELD_LABELS[key]}: ${describeValue(key, before[key])} → ${describeValue(key, after[key])}`,
      );
    }
  }
  return out;
}

export function conditionText(c) {
  return `${c.attribute} ${OPERATOR_LABELS[c.operator] || c.operator} ${c.values.map((v) => JSON.stringify(v)).join(', ')}`;
}

export function ruleText(rule) {
  return rule.conditions.map(conditionText).join(' AND ');
}

export function splitIds(text) {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function union(list, more) {
  return [...new Set([...list, ...more])].sort();
}

export function summaryState(f) {
  if (f.groups.includes('NONE')) return 'off';
  if (f.groups.includes('ALL') || f.percentage >= 100) return 'on';
  return f.users.length + f.groups.length + f.rules.length > 0 || f.percentage > 0
    ? 'partial'
    : 'off';
}
