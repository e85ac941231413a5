import { describe, expect, it } from 'vitest';
import {
  type ConformanceOptions,
  runBasicTests,
  runHistoryTests,
  runLifecycleTests,
  runStoreConformance,
  type TestRunner,
} from '../src/index.js';

interface Outcome {
  name: string;
  passed: boolean;
  error?: unknown;
}

const STORES = new URL('./fixtures/stores.mjs', import.meta.url).href;
type Register = (runner: TestRunner, config: ConformanceOptions) => void;

/** Registers the suite (or one group) for one store export with a collecting runner, then runs every test. */
async function runSuite(
  exportName: string,
  {
    module = STORES,
    register = runStoreConformance,
  }: { module?: string; register?: Register } = {},
): Promise<Outcome[]> {
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
  register(runner, {
    name: exportName,
    module,
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

  it('catches a store that keeps answering after close()', async () => {
    const names = failed(await runSuite('OpenAfterCloseStore'));
    const members = ['connect', 'snapshot', 'get', 'revision', 'put', 'remove'];
    expect(names.sort()).toEqual(
      members
        .map(
          (m) =>
            `OpenAfterCloseStore store conformance > lifecycle > after close(), ${m}() rejects with CLOSED`,
        )
        .sort(),
    );
  });

  it('catches a storeFromUrl that takes any scheme', async () => {
    const names = failed(
      await runSuite('TinyStore', {
        module: new URL('./fixtures/any-scheme-store.mjs', import.meta.url).href,
      }),
    );
    expect(names).toEqual([
      expect.stringContaining('storeFromUrl refuses a URL of another scheme'),
    ]);
  });

  it('passes the reference store, history group included', async () => {
    const outcomes = await runSuite('KitStore');
    expect(outcomes.filter((o) => o.name.includes(' > change history > ')).length).toBe(7);
    expect(outcomes.filter((o) => !o.passed)).toEqual([]);
  });

  it('catches a history store that forgets who wrote', async () => {
    const names = failed(await runSuite('NamelessHistoryStore', { register: runHistoryTests }));
    expect(names).toEqual(
      expect.arrayContaining([expect.stringContaining('each write records one entry')]),
    );
  });

  it('runs one group alone, under the same names', async () => {
    const all = await runSuite('TinyStore');
    const lifecycle = await runSuite('TinyStore', { register: runLifecycleTests });
    const basic = await runSuite('TinyStore', { register: runBasicTests });
    expect(lifecycle.map((o) => o.name)).toEqual(
      all.map((o) => o.name).filter((n) => n.includes(' > lifecycle > ')),
    );
    expect(lifecycle.length).toBe(10);
    expect(basic.map((o) => o.name)).toEqual(
      all.map((o) => o.name).filter((n) => n.includes(' > basic reads and writes > ')),
    );
    expect(failed([...lifecycle, ...basic])).toEqual([]);
  });
});
