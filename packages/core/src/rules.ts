import { intern } from './intern.js';
import type { Condition, ConditionValue, Rule } from './model.js';
import { ownPasses } from './own-property.js';
import { compareSemver, parseSemver, type SemVer } from './semver.js';

/** A compiled condition: a closure over pre-parsed values. Never throws. */
export type ConditionTest = (attribute: unknown) => boolean;

function toTime(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Date.parse(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

function internValue(value: ConditionValue): ConditionValue {
  return typeof value === 'string' ? intern(value) : value;
}

function anyString(values: readonly ConditionValue[]): string[] {
  return values.filter((v): v is string => typeof v === 'string');
}

/**
 * Compiles one condition. Values are parsed once here (semver, dates, sets) so
 * evaluation allocates nothing. No regular expression is ever built from stored data.
 */
export function compileCondition(condition: Condition): ConditionTest {
  // Interned strings: an attribute holding the same literal then compares by identity.
  const values = condition.values.map(internValue);
  const first = values[0];
  switch (condition.operator) {
    case 'eq':
    case 'in': {
      // One value (the common `plan == vip`): a strict compare beats a Set lookup.
      if (values.length === 1) return (a) => a === first;
      const set = new Set<unknown>(values);
      return (a) => a !== undefined && a !== null && set.has(a);
    }
    case 'neq':
    case 'notIn': {
      const set = new Set<unknown>(values);
      return (a) => a !== undefined && a !== null && !set.has(a);
    }
    case 'lt':
      return (a) => typeof a === 'number' && a < (first as number);
    case 'lte':
      return (a) => typeof a === 'number' && a <= (first as number);
    case 'gt':
      return (a) => typeof a === 'number' && a > (first as number);
    case 'gte':
      return (a) => typeof a === 'number' && a >= (first as number);
    case 'contains': {
      const needles = anyString(values);
      return (a) => {
        if (typeof a !== 'string') return false;
        for (const n of needles) if (a.includes(n)) return true;
        return false;
      };
    }
    case 'startsWith': {
      const needles = anyString(values);
      return (a) => {
        if (typeof a !== 'string') return false;
        for (const n of needles) if (a.startsWith(n)) return true;
        return false;
      };
    }
    case 'endsWith': {
      const needles = anyString(values);
      return (a) => {
        if (typeof a !== 'string') return false;
        for (const n of needles) if (a.endsWith(n)) return true;
        return false;
      };
    }
    case 'semverEq':
    case 'semverLt':
    case 'semverLte':
    case 'semverGt':
    case 'semverGte': {
      const target = parseSemver(String(first)) as SemVer;
      const op = condition.operator;
      // Parsing the attribute allocates; a version string is cached per value to keep repeats free.
      let lastText: string | undefined;
      let lastParsed: SemVer | undefined;
      return (a) => {
        if (typeof a !== 'string') return false;
        if (a !== lastText) {
          lastText = a;
          lastParsed = parseSemver(a);
        }
        if (!lastParsed) return false;
        const c = compareSemver(lastParsed, target);
        if (op === 'semverEq') return c === 0;
        if (op === 'semverLt') return c < 0;
        if (op === 'semverLte') return c <= 0;
        if (op === 'semverGt') return c > 0;
        return c >= 0;
      };
    }
    case 'before': {
      const t = toTime(first);
      return (a) => toTime(a) < t;
    }
    case 'after': {
      const t = toTime(first);
      return (a) => toTime(a) > t;
    }
    default:
      return () => false;
  }
}

/** A compiled rule: attribute names and their tests, all of which must hold. */
export interface CompiledRule {
  attributes: string[];
  tests: ConditionTest[];
}

/** Compiles a rule. */
export function compileRule(rule: Rule): CompiledRule {
  return {
    // Interned: a name from the store then compares by identity with the user's keys.
    attributes: rule.conditions.map((c) => intern(c.attribute)),
    tests: rule.conditions.map(compileCondition),
  };
}

/**
 * Whether every condition of the rule holds for `attributes`. Only own properties
 * count, so a rule on `__proto__` or `constructor` sees nothing inherited
 * (`own-property.ts`: the own check is paid only by values that pass).
 */
export function ruleMatches(rule: CompiledRule, attributes: object): boolean {
  const names = rule.attributes;
  for (let i = 0; i < names.length; i++) {
    if (!ownPasses(attributes, names[i] as string, rule.tests[i] as ConditionTest)) return false;
  }
  return true;
}
