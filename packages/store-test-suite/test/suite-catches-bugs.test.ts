import { describe, expect, it } from 'vitest';
import { runStoreConformance, type TestRunner } from '../src/index.js';

interface Outcome {
  name: string;
  passed: boolean;
  error?: unknown;
}

/** Registers the suite for one store export with a collecting runner, then runs every test. */
async function runSuite(exportName: string): Promise<Outcome[]> {
  const tests: { name: string; body: () => Promise<void> }[] = [];
  const prefix: string[] = [];
  const runner: TestRunner = {
    describe: (name, body) => {
      prefix.push(name);
      body();
      prefix.pop();
    },
    it: (name, body) => tests.push({ name: [...prefix, name].join(' > '), body }),
  };
  runStoreConformance(runner, {
    name: exportName,
    module: new URL('./fixtures/stores.mjs', import.meta.url).href,
    exportName,
    options: () => ({}),
  });
  const outcomes: Outcome[] = [];
  for (const test of tests) {
    try {
      await test.body();
      outcomes.push({ name: test.name, passed: true });
    } catch (error) {
      outcomes.push({ name: test.name, passed: false, error });
    }
  }
  return outcomes;
}

const failed = (outcomes: Outcome[]) => outcomes.filter((o) => !o.passed).map((o) => o.name);

describe('the conformance suite', () => {
  it('passes a correct store', async () => {
    const outcomes = await runSuite('TinyStore');
    expect(outcomes.length).toBeGreaterThan(20);
    expect(failed(outcomes)).toEqual([]);
  });

  it('catches a store whose compare-and-set does not compare (lost updates)', async () => {
    const names = failed(await runSuite('LostUpdateStore'));
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringContaining('a put naming a stale version fails'),
        expect.stringContaining('of two racing writers with the same version exactly one wins'),
        expect.stringContaining('many concurrent writers on one feature lose nothing'),
      ]),
    );
  });

  it('catches a store that hands out its own objects', async () => {
    const names = failed(await runSuite('SharedObjectStore'));
    expect(names).toEqual([expect.stringContaining('records handed out are copies')]);
  });

  it('catches a store whose revision does not move on remove', async () => {
    const names = failed(await runSuite('StuckRevisionStore'));
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringContaining('every successful write bumps the revision'),
      ]),
    );
  });
});
