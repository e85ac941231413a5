import { describe, expect, it } from 'vitest';
import { bytesPerEval, median, percentile } from '../src/harness/measure.js';

// The allocation meter is what the "0 bytes/eval" target rests on: it must see a
// known allocation and must not invent one.
describe('bytesPerEval', () => {
  const sink: unknown[] = new Array(16);
  const n = 1000;

  it('reports 0 for a loop that allocates nothing', async () => {
    const body = () => {
      let s = 0;
      for (let i = 0; i < n; i++) s += i;
      return s;
    };
    expect(await bytesPerEval(body, n, 3)).toBe(0);
  });

  it('sees an array of four small integers per evaluation (about 80 bytes on 64-bit Node)', async () => {
    const body = () => {
      for (let i = 0; i < n; i++) sink[i & 15] = [i, i + 1, i + 2, i + 3];
      return 0;
    };
    const bytes = await bytesPerEval(body, n, 3);
    expect(bytes).toBeGreaterThanOrEqual(40);
    expect(bytes).toBeLessThan(120);
  });

  it('counts what an await allocates in an async body', async () => {
    const body = async () => {
      let s = 0;
      for (let i = 0; i < n; i++) s += await i;
      return s;
    };
    expect(await bytesPerEval(body, n, 1)).toBeGreaterThan(50);
  });
});

describe('median and percentile', () => {
  it('take the middle and the nearest rank', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });
});
