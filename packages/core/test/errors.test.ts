import { describe, expect, it } from 'vitest';
import {
  type Feature,
  type FeatureStore,
  featureFromInput,
  isRolloutError,
  mutateFeature,
  VersionConflictError,
} from '../src/index.js';

// What an error from a second copy of @rollout/core looks like (the CJS build loaded
// beside the ESM one): same shape and code, a different class.
class ForeignRolloutError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

describe('isRolloutError', () => {
  it('recognises rollout errors by class, and by code and prefix across copies of core', () => {
    expect(isRolloutError(new VersionConflictError('f'), 'VERSION_CONFLICT')).toBe(true);
    const foreign = new ForeignRolloutError('VERSION_CONFLICT', '[rollout] [redis] conflict');
    expect(isRolloutError(foreign)).toBe(true);
    expect(isRolloutError(foreign, 'VERSION_CONFLICT')).toBe(true);
    expect(isRolloutError(foreign, 'STORE_ERROR')).toBe(false);
  });

  it('does not take other errors with codes for rollout errors', () => {
    expect(
      isRolloutError(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isRolloutError(new ForeignRolloutError('VERSION_CONFLICT', 'no prefix'))).toBe(false);
    expect(isRolloutError({ code: 'VERSION_CONFLICT', message: '[rollout] plain object' })).toBe(
      false,
    );
  });

  it('mutateFeature retries a conflict thrown by a store built on another copy of core', async () => {
    let stored: Feature | undefined;
    let conflicts = 2;
    const store = {
      get: async () => stored && structuredClone(stored),
      put: async (feature: Feature, expected: number) => {
        if (conflicts-- > 0)
          throw new ForeignRolloutError('VERSION_CONFLICT', '[rollout] [other] conflict');
        stored = { ...feature, version: expected + 1 };
        return structuredClone(stored);
      },
    } as unknown as FeatureStore;
    stored = { ...featureFromInput({ name: 'f' }, new Date(0).toISOString()), version: 1 };
    const result = await mutateFeature(store, 'f', (f) => ({ ...f, users: ['1'] }));
    expect(result.feature.users).toEqual(['1']);
    expect(conflicts).toBe(-1);
  });
});
