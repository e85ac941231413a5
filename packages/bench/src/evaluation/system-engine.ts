import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import { FLAG_ALL, FLAG_ALLOW, FLAG_COMBINED, FLAG_PERCENT, FLAG_RULE } from './fixtures.js';
import type { EvalSystem } from './system.js';

/** The gate kinds a minimal engine knows; a flag with several gates is `MIXED`. */
enum Kind {
  ALL = 0,
  ALLOW = 1,
  PERCENT = 2,
  RULE = 3,
  MIXED = 4,
}

/** A flag as a minimal generic engine holds it: its kind, and every field any kind reads. */
interface EngineFlag {
  kind: Kind;
  allow: ReadonlySet<string>;
  deny: ReadonlySet<string>;
  group: string;
  /** Rule: the attribute name (from data, so read with a variable key) and the value. */
  attribute: string;
  value: string;
  /** Bucket threshold out of 100,000 (0: no percentage). */
  threshold: number;
  /** Hash state after "<flag>\0". */
  salt: number;
}

/** rollout's hash version 1 for ASCII text (the bench ids): FNV-1a 32-bit, then fmix32. */
function fnv1a(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** The bucket (0..99,999) of `id` from a salt state, exactly as rollout's hash version 1. */
export function engineBucket(salt: number, id: string): number {
  let h = fnv1a(salt, id);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.floor(((h >>> 0) * 100_000) / 4294967296);
}

/** The engine's view of the flag set: one object shape for every flag, as an engine loading data would build it. */
export function engineFlags(flags: FlagSet): Map<string, EngineFlag> {
  const none: ReadonlySet<string> = new Set();
  const flag = (name: string, kind: Kind, fields: Partial<EngineFlag>): EngineFlag => ({
    kind,
    allow: fields.allow ?? none,
    deny: fields.deny ?? none,
    group: fields.group ?? '',
    attribute: fields.attribute ?? '',
    value: fields.value ?? '',
    threshold: fields.threshold ?? 0,
    salt: Math.imul(fnv1a(0x811c9dc5, name), 0x01000193),
  });
  const vip = { attribute: 'plan', value: 'vip' };
  const threshold = flags.percentage * 1000;
  const map = new Map<string, EngineFlag>();
  map.set(FLAG_ALL, flag(FLAG_ALL, Kind.ALL, {}));
  map.set(FLAG_ALLOW, flag(FLAG_ALLOW, Kind.ALLOW, { allow: new Set(flags.allowIds) }));
  map.set(FLAG_PERCENT, flag(FLAG_PERCENT, Kind.PERCENT, { threshold }));
  map.set(FLAG_RULE, flag(FLAG_RULE, Kind.RULE, vip));
  map.set(
    FLAG_COMBINED,
    flag(FLAG_COMBINED, Kind.MIXED, {
      allow: new Set(flags.allowIds),
      deny: new Set(flags.denyIds),
      group: 'beta',
      ...vip,
      threshold,
    }),
  );
  return map;
}

/** One evaluation: a switch on the kind; the mixed kind walks every gate in rollout's order. */
export function engineCan(f: EngineFlag, u: BenchUser): boolean {
  const attributes = u as unknown as Record<string, unknown>;
  switch (f.kind) {
    case Kind.ALL:
      return true;
    case Kind.ALLOW:
      return f.allow.has(u.id);
    case Kind.PERCENT:
      return engineBucket(f.salt, u.id) < f.threshold;
    case Kind.RULE:
      return attributes[f.attribute] === f.value;
    case Kind.MIXED:
      if (f.deny.has(u.id)) return false;
      if (f.allow.has(u.id)) return true;
      if (u.groups.includes(f.group)) return true;
      if (attributes[f.attribute] === f.value) return true;
      return engineBucket(f.salt, u.id) < f.threshold;
  }
}

/**
 * The generic-engine baseline of issue 19: what a minimal flag engine costs that
 * loads flags as data and evaluates them by kind (a `Map` lookup by name, a switch
 * on the gate kind, rollout's own hashing), with none of rollout's guarantees
 * (own-property reads, no-throw, user mapping). rollout's target is ≤ 1.5× it.
 */
export async function createEngineSystem(flags: FlagSet): Promise<EvalSystem> {
  const map = engineFlags(flags);
  return {
    name: 'generic engine baseline',
    role: 'engine',
    async: false,
    setup:
      'Map<name, flag> lookup, then a switch on the gate kind (all / allow / percent / rule / mixed), hash version 1 (hand-written, no library)',
    async answers(s: Scenario) {
      return s.users.map((u) => {
        const f = map.get(s.flag);
        return f !== undefined && engineCan(f, u);
      });
    },
    body(s: Scenario) {
      const users = s.users;
      const name = s.flag;
      return () => {
        let on = 0;
        for (let i = 0; i < users.length; i++) {
          const f = map.get(name);
          if (f !== undefined && engineCan(f, users[i] as BenchUser)) on++;
        }
        return on;
      };
    },
    close: async () => {},
  };
}
