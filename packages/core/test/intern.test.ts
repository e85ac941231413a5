import { describe, expect, it } from 'vitest';
import { intern } from '../src/intern.js';

describe('intern', () => {
  it('returns the same text for any string, index-like and special names included', () => {
    for (const text of [
      'plan',
      '',
      '10',
      '007',
      '__proto__',
      'constructor',
      'ü 🚀',
      'a'.repeat(300),
    ])
      expect(intern(`${text}`)).toBe(text);
  });
});
