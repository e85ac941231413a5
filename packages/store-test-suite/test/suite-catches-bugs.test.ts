import { describe, expect, it } from 'vitest';
import {
  type ConformanceOptions,
  runBasicTests,
  runHistoryTests,
  runLifecycleTests,
  runNotificationTests,
  runStoreConformance,
  type TestRunner,
} from '../src/index.js';

interface Outcome {
  name: string;
  passed: boolean;
  skipped?: boolean;
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
    config = {},
  }: { module?: string; register?: Register; config?: Partial<ConformanceOptions> } = {},
): Promise<Outcome[]> {
  const tests: { name: string; body: () => Promise<void>; skipped?: boolean }[] = [];
  const prefix: string[] = [];
  const it = (name: string, body: () => Promise<void>) =>
    tests.push({ name: [...prefix, name].join(' > '), body });
  it.skip = (name: string, body: () => Promise<void>) =>
    tests.push({ name: [...prefix, name].join(' > '), body, skipped: true });
  const runner: TestRunner = {
    describe: (name, body) => {
      prefix.push(name);
      body();
      prefix.pop();
    },
    it,
  };
  register(runner, {
    name: exportName,
    module,
    exportName,
    options: () => ({}),
    // The fixtures' push stores can cut their own channel; the others have no subscribe().
    interruptPush: (store, duringGap) =>
      (store as unknown as { interrupt: (d: () => Promise<void>) => Promise<void> }).interrupt(
        duringGap,
      ),
    ...config,
  });
  const outcomes: Outcome[] = [];
  for (const test of tests) {
    if (test.skipped) {
      outcomes.push({ name: test.name, passed: false, skipped: true });
      continue;
    }
    try {
      await test.body();
      outcomes.push({ name: test.name, passed: true });
    } catch (error) {
      outcomes.push({ name: test.name, passed: false, error });
    }
  }
  return outcomes;
}

const failed = (outcomes: Outcome[]) =>
  outcomes.filter((o) => !o.passed && !o.skipped).map((o) => o.name);

/** The failure message of the case whose name contains `name`. */
function failure(outcomes: Outcome[], name: string): string {
  const outcome = outcomes.find((o) => o.name.includes(name));
  expect(outcome, `a case named ${name}`).toBeDefined();
  expect(outcome?.passed, `${name} must fail`).toBe(false);
  return String((outcome?.error as Error | undefined)?.message);
}

describe('the conformance suite', () => {
  it('passes a correct store', async () => {
    const outcomes = await runSuite('TinyStore');
    expect(outcomes.length).toBeGreaterThan(20);
    expect(failed(outcomes)).toEqual([]);
  });

  it('passes a correct push store, notifications, gaps and resync included', async () => {
    const outcomes = await runSuite('PushStore');
    expect(failed(outcomes)).toEqual([]);
    expect(outcomes.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('subscribers of the writing instance are notified too'),
        expect.stringContaining('after a gap in the push channel, subscribers get resync()'),
      ]),
    );
  });

  it('passes a correct store whose errors come from another copy of @rollout/core (checks codes, not classes)', async () => {
    expect(failed(await runSuite('ForeignCoreStore'))).toEqual([]);
  });

  it('names the store, the group and the case in every failure message', async () => {
    const outcomes = await runSuite('LostUpdateStore');
    const broken = outcomes.filter((o) => !o.passed);
    expect(broken.length).toBeGreaterThan(0);
    for (const o of broken) {
      const [, group, name] = o.name.split(' > ');
      expect(String((o.error as Error).message)).toMatch(
        new RegExp(
          `^\\[LostUpdateStore store conformance\\] ${group} > ${name?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `,
        ),
      );
    }
  });

  it('fails a store that never notifies its own subscribers, naming the cause', async () => {
    const outcomes = await runSuite('NoSelfNotificationStore');
    expect(failure(outcomes, 'subscribers of the writing instance are notified too')).toContain(
      'the store does not notify its own subscribers',
    );
  });

  it('fails a store that never calls resync() after a gap, naming the cause', async () => {
    const outcomes = await runSuite('NoResyncStore');
    expect(failed(outcomes)).toEqual([expect.stringContaining('after a gap in the push channel')]);
    expect(failure(outcomes, 'after a gap in the push channel')).toContain('never resync()');
  });

  it('fails an interruptPush that does not really cut the channel', async () => {
    // A store that resyncs after anything still fails: the gap's write was heard live.
    const outcomes = await runSuite('PushStore', {
      config: {
        interruptPush: async (store, duringGap) => {
          await duringGap();
          await new Promise((resolve) => setTimeout(resolve, 50));
          (store as unknown as { reconnected: () => void }).reconnected();
        },
      },
    });
    expect(failed(outcomes)).toEqual([expect.stringContaining('after a gap in the push channel')]);
    expect(failure(outcomes, 'after a gap in the push channel')).toContain(
      'interruptPush did not cut the push channel',
    );
  });

  it('fails a push store whose config gives no interruptPush, saying what to give', async () => {
    for (const store of ['PushStore', 'KitStore']) {
      const outcomes = await runSuite(store, { config: { interruptPush: undefined } });
      expect(failed(outcomes)).toEqual([
        expect.stringContaining('after a gap in the push channel'),
      ]);
      const message = failure(outcomes, 'after a gap in the push channel');
      expect(message).toContain('declares push: true but the suite config gives no interruptPush');
      expect(message).toContain('noPushGap');
    }
    // A store without push has no channel to cut: nothing to give.
    expect(failed(await runSuite('TinyStore', { config: { interruptPush: undefined } }))).toEqual(
      [],
    );
  });

  it('reports the gap case skipped, with the reason, for a store that says it cannot have a gap', async () => {
    const outcomes = await runSuite('KitStore', {
      config: {
        interruptPush: undefined,
        noPushGap: 'in-process: subscribers are called directly',
      },
    });
    expect(failed(outcomes)).toEqual([]);
    const gap = outcomes.filter((o) => o.name.includes('after a gap in the push channel'));
    expect(gap).toEqual([
      expect.objectContaining({
        skipped: true,
        name: expect.stringContaining('(skipped: in-process: subscribers are called directly)'),
      }),
    ]);
  });

  it('does not declare the gap case at all when noPushGap is given and the runner has no it.skip', async () => {
    const names: string[] = [];
    runNotificationTests(
      { describe: (_name, body) => body(), it: (name) => void names.push(name) },
      {
        name: 'x',
        module: STORES,
        exportName: 'KitStore',
        options: () => ({}),
        noPushGap: 'in-process',
      },
    );
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => n.includes('after a gap'))).toEqual([]);
  });

  it('fails a store whose revision() is stale, naming the cause', async () => {
    const outcomes = await runSuite('StaleRevisionStore');
    expect(failure(outcomes, 'the revision tells pollers that something changed')).toContain(
      'a stale revision hides changes from every poller',
    );
  });

  it('catches a store whose compare-and-set does not compare (lost updates)', async () => {
    const outcomes = await runSuite('LostUpdateStore');
    expect(failure(outcomes, 'a put naming a stale version fails')).toContain('resolved with');
    expect(failure(outcomes, 'of two racing writers')).toContain('(lost update)');
    const names = failed(outcomes);
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringContaining('a put naming a stale version fails'),
        expect.stringContaining('of two racing writers with the same version exactly one wins'),
        expect.stringContaining('many concurrent writers on one feature lose nothing'),
      ]),
    );
  });

  it('catches a store that hands out its own objects', async () => {
    const outcomes = await runSuite('SharedObjectStore');
    expect(failed(outcomes)).toEqual([expect.stringContaining('records handed out are copies')]);
    expect(failure(outcomes, 'records handed out are copies')).toContain('hand out copies');
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
