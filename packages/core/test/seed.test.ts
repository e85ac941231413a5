import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketOf, Rollout, type User } from '../src/index.js';
import { TestStore } from './support/test-store.js';

// The seed (pyrollout's README), translated to TypeScript and run as a test.
describe('the seed usage', () => {
  let rollout: Rollout;

  beforeEach(async () => {
    rollout = new Rollout({ store: new TestStore() });
    await rollout.ready();
    // Open to all by using the special group 'ALL'
    await rollout.addFeature({ name: 'feature_for_all', groups: ['ALL'] });
    // Open to select groups
    await rollout.addFeature({ name: 'feature_for_groups', groups: ['vip', 'early_adopter'] });
    // Open to specific user(s), by user ID
    await rollout.addFeature({ name: 'feature_for_users', users: [123, 456, 789] });
    // Open to 20% of users, calculated via user ID
    await rollout.addFeature({ name: '20pct', percentage: 20 });
  });

  afterEach(async () => {
    await rollout.close();
  });

  it('opens feature_for_all to everyone, with or without an id', () => {
    expect(rollout.can({ id: 1 }, 'feature_for_all')).toBe(true);
    expect(rollout.can({ id: 'someone' }, 'feature_for_all')).toBe(true);
    expect(rollout.can({}, 'feature_for_all')).toBe(true);
  });

  it('opens feature_for_groups to vip and early_adopter only', () => {
    expect(rollout.can({ id: 1, groups: ['vip'] }, 'feature_for_groups')).toBe(true);
    expect(rollout.can({ id: 2, groups: ['staff', 'early_adopter'] }, 'feature_for_groups')).toBe(
      true,
    );
    expect(rollout.can({ id: 3, groups: ['staff'] }, 'feature_for_groups')).toBe(false);
    expect(rollout.can({ id: 4 }, 'feature_for_groups')).toBe(false);
  });

  it('opens feature_for_users to users 123, 456 and 789, by number or string id', () => {
    for (const id of [123, 456, 789, '123', '456', '789']) {
      expect(rollout.can({ id }, 'feature_for_users')).toBe(true);
    }
    for (const id of [124, '0123', '123 ', 1230, 'abc']) {
      expect(rollout.can({ id }, 'feature_for_users')).toBe(false);
    }
  });

  it('opens 20pct to about 20 % of users, exactly those whose bucket is under 20000', () => {
    let on = 0;
    for (let id = 0; id < 10_000; id++) {
      const can = rollout.can({ id }, '20pct');
      expect(can).toBe(bucketOf('20pct', id) < 20_000);
      if (can) on++;
    }
    // 10k Bernoulli(0.2) trials: sd 40, so ±300 is more than 7 sd: a real skew, never chance.
    expect(on).toBeGreaterThan(1700);
    expect(on).toBeLessThan(2300);
  });

  it('denies an undefined feature', () => {
    function untestedFeature(user: User): string | null {
      // Because this feature was not defined, access will always be denied (by default)
      if (!rollout.can(user, 'use_untested_feature')) return null;
      return 'cool things';
    }
    expect(untestedFeature({ id: 123, groups: ['vip'] })).toBeNull();
    expect(rollout.explain({ id: 123 }, 'use_untested_feature').reason).toBe('FEATURE_NOT_FOUND');
  });

  it('lets a FooHandler answer 403 when the feature is denied', () => {
    class FooHandler {
      status = 200;
      body = '';
      constructor(readonly user: User) {}
      get(): void {
        if (!rollout.can(this.user, 'feature_for_users')) {
          this.status = 403;
          return;
        }
        this.body = 'foo';
      }
    }
    const denied = new FooHandler({ id: 999 });
    denied.get();
    expect(denied.status).toBe(403);
    expect(denied.body).toBe('');

    const allowed = new FooHandler({ id: 456 });
    allowed.get();
    expect(allowed.status).toBe(200);
    expect(allowed.body).toBe('foo');
  });
});
