import { bucketOf } from '@rollout/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswers } from '../src/evaluation/evaluation-section.js';
import { makeFlags, makeScenarios, makeUsers, type Scenario } from '../src/evaluation/fixtures.js';
import type { EvalSystem } from '../src/evaluation/system.js';
import { createBaselineSystem } from '../src/evaluation/system-baseline.js';
import { createEngineSystem, engineBucket, engineFlags } from '../src/evaluation/system-engine.js';
import { createGrowthbookSystem } from '../src/evaluation/system-growthbook.js';
import { createLaunchdarklySystem } from '../src/evaluation/system-launchdarkly.js';
import { createOpenfeatureSystem } from '../src/evaluation/system-openfeature.js';
import { createRolloutSystem } from '../src/evaluation/system-rollout.js';
import { createUnleashSystem } from '../src/evaluation/system-unleash.js';

const users = makeUsers();
const flags = makeFlags(users);
const scenarios = makeScenarios(users, flags);
const systems: EvalSystem[] = [];

beforeAll(async () => {
  for (const create of [
    createBaselineSystem,
    createEngineSystem,
    createRolloutSystem,
    createUnleashSystem,
    createGrowthbookSystem,
    createLaunchdarklySystem,
    createOpenfeatureSystem,
  ]) {
    systems.push(await create(flags));
  }
});

afterAll(async () => {
  for (const s of systems) await s.close();
});

// Every system is configured to give the same answers; a timing of a system that
// answers differently would compare different work.
describe('every system answers every scenario correctly', () => {
  for (const scenario of scenarios) {
    it(scenario.key, async () => {
      for (const system of systems) {
        const answers = await system.answers(scenario);
        const verdict = checkAnswers(scenario, answers);
        expect({ system: system.name, ...verdict }).toMatchObject({
          system: system.name,
          correct: true,
        });
        // The timed loop counts the same answers.
        const counted = await system.body(scenario)();
        expect(counted).toBe(answers.filter(Boolean).length);
      }
    });
  }
});

describe('the generic engine', () => {
  it("hashes as rollout's hash version 1, so both bucket the same users", () => {
    const engine = engineFlags(flags);
    for (const [name, flag] of engine) {
      for (const u of users.slice(0, 500))
        expect(engineBucket(flag.salt, u.id)).toBe(bucketOf(name, u.id));
    }
  });
});

describe('checkAnswers', () => {
  const scenario = (expected: Scenario['expected'], percentage?: number): Scenario => ({
    key: 't',
    title: 't',
    flag: 't',
    users: expected.map((_, i) => ({ id: `u${i}`, plan: 'free', country: 'NZ', groups: [] })),
    expected,
    ...(percentage === undefined ? {} : { percentage }),
  });

  it('flags a wrong fixed answer', () => {
    const r = checkAnswers(scenario([true, false, true]), [true, true, true]);
    expect(r.correct).toBe(false);
    expect(r.check).toContain('1 wrong');
  });

  it('flags a bucketed fraction far from the percentage', () => {
    const expected = Array.from({ length: 10_000 }, () => 'bucket' as const);
    const answers = expected.map((_, i) => i % 2 === 0); // 50 %, not 20 %
    expect(checkAnswers(scenario(expected, 20), answers).correct).toBe(false);
    const twenty = expected.map((_, i) => i % 5 === 0);
    const ok = checkAnswers(scenario(expected, 20), twenty);
    expect(ok.correct).toBe(true);
    expect(ok.fraction).toBeCloseTo(0.2, 5);
  });

  it('flags a missing answer', () => {
    expect(checkAnswers(scenario([true, true]), [true]).correct).toBe(false);
  });
});
