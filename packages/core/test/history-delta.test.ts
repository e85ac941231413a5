import { describe, expect, it } from 'vitest';
import {
  applyOperations,
  checkOperations,
  type Feature,
  type FeatureOperation,
} from '../src/index.js';
import {
  type HistoryEntry,
  listDelta,
  reconstructHistory,
  type StoredHistoryEntry,
  undoListDelta,
  withoutLists,
} from '../src/store-kit/index.js';

const NOW = '2026-01-01T00:00:00.000Z';

function entry(
  revision: number,
  feature: Feature | undefined,
  previous: Feature | undefined,
): HistoryEntry {
  const version = feature ? feature.version : (previous?.version ?? 0) + 1;
  return { revision, name: 'f', version, at: NOW, action: 'update', feature, previous };
}

// The compact form of an update, as a store would keep it.
function compact(e: HistoryEntry): StoredHistoryEntry {
  const { feature, previous, ...rest } = e;
  if (!feature || !previous) return e;
  return {
    ...rest,
    delta: {
      after: withoutLists(feature),
      before: withoutLists(previous),
      lists: {
        users: listDelta(previous.users, feature.users),
        excludedUsers: listDelta(previous.excludedUsers, feature.excludedUsers),
      },
    },
  };
}

describe('history deltas', () => {
  it('undoes a list delta', () => {
    const delta = listDelta(['a', 'b', 'c'], ['b', 'c', 'd']);
    expect(delta).toEqual({ added: ['d'], removed: ['a'] });
    expect(undoListDelta(['b', 'c', 'd'], delta)).toEqual(['a', 'b', 'c']);
  });

  it('rebuilds whole records from the current state and compact entries, across a remove and re-create', () => {
    const steps: FeatureOperation[][] = [
      [{ op: 'addUsers', users: ['3', '1'] }],
      [
        { op: 'exclude', users: ['9'] },
        { op: 'removeUsers', users: ['3'] },
      ],
      [{ op: 'setPercentage', percentage: 5 }],
      [
        { op: 'addUsers', users: ['2'] },
        { op: 'include', users: ['9'] },
      ],
    ];
    const whole: HistoryEntry[] = [];
    let current: Feature | undefined;
    let revision = 0;
    const run = (ops: FeatureOperation[]) => {
      const result = applyOperations('f', current, checkOperations(ops), {
        create: true,
        now: NOW,
      });
      const next = { ...result.feature, version: (current?.version ?? 0) + 1 };
      whole.push(entry(++revision, next, current));
      current = next;
    };
    for (const ops of steps) run(ops);
    whole.push(entry(++revision, undefined, current));
    current = undefined;
    for (const ops of steps.slice(0, 2)) run(ops);
    const newestFirst = [...whole].reverse();
    const stored = newestFirst.map(compact);
    expect(stored.filter((e) => 'delta' in e)).toHaveLength(4);
    expect(reconstructHistory(stored, new Map([['f', current]]))).toEqual(newestFirst);
    const page = reconstructHistory(stored, new Map([['f', current]]), (e) => e.revision < 4);
    expect(page).toEqual(newestFirst.filter((e) => e.revision < 4));
  });

  it('refuses a delta walk without a record to start from', () => {
    const a = {
      ...applyOperations('f', undefined, [], { create: true, now: NOW }).feature,
      version: 1,
    };
    const b = { ...a, users: ['x'], version: 2 };
    expect(() => reconstructHistory([compact(entry(2, b, a))], new Map())).toThrow(/revision 2/);
  });
});
