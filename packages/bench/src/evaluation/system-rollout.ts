import { Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import type { BenchUser, FlagSet, Scenario } from './fixtures.js';
import type { EvalSystem } from './system.js';

/** rollout's `Rollout.can` over a MemoryStore: synchronous, from the local compiled snapshot. */
export async function createRolloutSystem(flags: FlagSet): Promise<EvalSystem> {
  const rollout = new Rollout<BenchUser>({ store: new MemoryStore() });
  await rollout.ready();
  for (const f of flags.features) await rollout.addFeature(f);
  return {
    name: 'rollout can()',
    role: 'ours',
    async: false,
    setup:
      'new Rollout({ store: new MemoryStore() }), features added with addFeature; rollout.can(user, name)',
    async answers(s: Scenario) {
      return s.users.map((u) => rollout.can(u, s.flag));
    },
    body(s: Scenario) {
      const users = s.users;
      const name = s.flag;
      return () => {
        let on = 0;
        for (let i = 0; i < users.length; i++) if (rollout.can(users[i] as BenchUser, name)) on++;
        return on;
      };
    },
    close: () => rollout.close(),
  };
}
