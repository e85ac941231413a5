import type { Body } from '../harness/measure.js';
import type { FlagSet, Scenario } from './fixtures.js';

/**
 * What role a system plays in the comparison: `baseline` is the hand-written plain-JS
 * check (the limit), `engine` the minimal generic engine (flags as data, a switch on the kind).
 */
export type SystemRole = 'ours' | 'peer' | 'baseline' | 'engine';

/**
 * One flag system under test, already loaded with the flag set. Each adapter
 * maps the shared users to its own context shape once (untimed), and writes its
 * own timing loop, so no call site is shared (and made megamorphic) between systems.
 */
export interface EvalSystem {
  /** Name in tables. */
  readonly name: string;
  readonly role: SystemRole;
  /** True when evaluation returns a promise (the await is timed, as an app would pay it). */
  readonly async: boolean;
  /** How it was set up, for the README and the JSON. */
  readonly setup: string;
  /** Answers for every user of the scenario, in order (untimed; for the correctness check). */
  answers(scenario: Scenario): Promise<boolean[]>;
  /** A body that evaluates the scenario's flag once for each of its users and returns how many were on. */
  body(scenario: Scenario): Body;
  /** Releases timers and clients. */
  close(): Promise<void>;
}

/** Builds a system for a flag set. */
export type SystemFactory = (flags: FlagSet) => Promise<EvalSystem>;

/** Caches one mapped context array per users array, so mapping happens once per scenario. */
export function contextCache<C>(map: (u: Scenario['users'][number]) => C) {
  const cache = new Map<Scenario['users'], C[]>();
  return (users: Scenario['users']): C[] => {
    let out = cache.get(users);
    if (!out) {
      out = users.map(map);
      cache.set(users, out);
    }
    return out;
  };
}
