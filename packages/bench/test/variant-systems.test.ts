import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUsers } from '../src/evaluation/fixtures.js';
import {
  checkSplit,
  createVariantSystems,
  VARIANTS,
  type VariantSystem,
} from '../src/evaluation/variant-systems.js';

const users = makeUsers();
const systems: VariantSystem[] = [];

beforeAll(async () => {
  systems.push(...(await createVariantSystems()));
});

afterAll(async () => {
  for (const s of systems) await s.close();
});

describe('variant-3way: every system splits 50/30/20', () => {
  it('each share within 1.5 points, and the timed loop counts what the check saw', async () => {
    expect(systems.map((s) => s.role)).toEqual([
      'baseline',
      'engine',
      'ours',
      'ours',
      'peer',
      'peer',
    ]);
    for (const system of systems) {
      const answers = await system.answers(users);
      expect({ system: system.name, ...checkSplit(answers) }).toMatchObject({ correct: true });
      const counted = await system.body(users)();
      expect(counted).toBe(answers.filter((a) => a === VARIANTS[0].value).length);
    }
  });

  it('rollout variant() and value() agree user by user', async () => {
    const [variant, value] = systems.filter((s) => s.role === 'ours');
    expect(await variant?.answers(users)).toEqual(await value?.answers(users));
  });

  it('the generic engine hashes as rollout does: the same value for every user', async () => {
    const engine = systems.find((s) => s.role === 'engine');
    const [variant] = systems.filter((s) => s.role === 'ours');
    expect(await engine?.answers(users)).toEqual(await variant?.answers(users));
  });

  it('checkSplit refuses a skewed split and stray answers', () => {
    expect(checkSplit(users.map(() => '#f00')).correct).toBe(false);
    const fine = users.map((_, i) => (i % 10 < 5 ? '#f00' : i % 10 < 8 ? '#0f0' : '#00f'));
    expect(checkSplit(fine).correct).toBe(true);
    expect(checkSplit([...fine.slice(1), 'none']).correct).toBe(false);
  });
});
