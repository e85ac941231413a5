import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import { FLAG_ALL, FLAG_ALLOW, FLAG_COMBINED, FLAG_PERCENT, FLAG_RULE } from './fixtures.js';
import type { EvalSystem } from './system.js';

/** The least a flag check can do: the flag's data, pre-indexed. */
interface PlainFlag {
  all: boolean;
  allow: Set<string> | undefined;
  deny: Set<string> | undefined;
  group: string | undefined;
  plan: string | undefined;
  /** Bucket threshold out of 100,000 (0: no percentage). */
  threshold: number;
  /** FNV-1a state after the flag name, so each check hashes only the id. */
  salt: number;
}

/** FNV-1a 32-bit over the UTF-16 code units of `text` (ids are ASCII here), from state `h`. */
export function fnv1a(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** One 32-bit hash of (flag salt, id), mixed once, as a bucket in 0..99,999. */
export function plainBucket(salt: number, id: string): number {
  let h = fnv1a(salt, id);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return ((h ^ (h >>> 13)) >>> 0) % 100_000;
}

/** Builds the plain-JS view of the flag set (shared with the OpenFeature adapter's evaluators). */
export function plainFlags(flags: FlagSet): Map<string, PlainFlag> {
  const base = (name: string): PlainFlag => ({
    all: false,
    allow: undefined,
    deny: undefined,
    group: undefined,
    plan: undefined,
    threshold: 0,
    salt: fnv1a(0x811c9dc5, `${name}\0`),
  });
  const map = new Map<string, PlainFlag>();
  map.set(FLAG_ALL, { ...base(FLAG_ALL), all: true });
  map.set(FLAG_ALLOW, { ...base(FLAG_ALLOW), allow: new Set(flags.allowIds) });
  map.set(FLAG_PERCENT, { ...base(FLAG_PERCENT), threshold: flags.percentage * 1000 });
  map.set(FLAG_RULE, { ...base(FLAG_RULE), plan: 'vip' });
  map.set(FLAG_COMBINED, {
    ...base(FLAG_COMBINED),
    allow: new Set(flags.allowIds),
    deny: new Set(flags.denyIds),
    group: 'beta',
    plan: 'vip',
    threshold: flags.percentage * 1000,
  });
  return map;
}

/** The plain check: deny, all, allow, group, plan, bucket; each step only when the flag has it. */
export function plainCan(f: PlainFlag, u: BenchUser): boolean {
  if (f.deny?.has(u.id)) return false;
  if (f.all) return true;
  if (f.allow?.has(u.id)) return true;
  if (f.group !== undefined && u.groups.includes(f.group)) return true;
  if (f.plan !== undefined && u.plan === f.plan) return true;
  return f.threshold > 0 && plainBucket(f.salt, u.id) < f.threshold;
}

/**
 * The plain-JS baseline: a Map lookup by name, then the least work for the same
 * answer (Set.has, a property compare, one 32-bit hash). It estimates the limit.
 */
export async function createBaselineSystem(flags: FlagSet): Promise<EvalSystem> {
  const map = plainFlags(flags);
  const check = (name: string, u: BenchUser): boolean => {
    const f = map.get(name);
    return f !== undefined && plainCan(f, u);
  };
  return {
    name: 'plain JS baseline',
    role: 'baseline',
    async: false,
    setup:
      'Map<name, flag> lookup, then Set.has / property compare / FNV-1a of the id (hand-written, no library)',
    async answers(s: Scenario) {
      return s.users.map((u) => check(s.flag, u));
    },
    body(s: Scenario) {
      const users = s.users;
      const name = s.flag;
      return () => {
        let on = 0;
        for (let i = 0; i < users.length; i++) {
          const f = map.get(name);
          if (f !== undefined && plainCan(f, users[i] as BenchUser)) on++;
        }
        return on;
      };
    },
    close: async () => {},
  };
}
