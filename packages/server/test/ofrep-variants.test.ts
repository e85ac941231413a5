import type { Rollout } from '@rollout/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutServer } from '../src/index.js';
import { addValuedFlags, flagsClient, post, serverFor } from './helpers.js';

let rollout: Rollout;
let server: RolloutServer;
beforeEach(async () => {
  rollout = await flagsClient();
  await addValuedFlags(rollout);
  server = serverFor(rollout);
});
afterEach(async () => {
  await server.close();
  await rollout.close();
});

async function evaluate(key: string, context: Record<string, unknown>) {
  const res = await post(server, `/ofrep/v1/evaluate/flags/${key}`, { context });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('OFREP with variants', () => {
  it('answers the variant name and its value for string, number and object flags', async () => {
    expect(await evaluate('button', { targetingKey: '42' })).toEqual({
      key: 'button',
      value: 'green',
      reason: 'STATIC',
      variant: 'green',
      metadata: { rolloutReason: 'ALL', stale: false, hashVersion: 1, version: 1 },
    });
    const bucketed = rollout.variant({ id: 'u-1' }, 'button');
    expect(await evaluate('button', { targetingKey: 'u-1' })).toMatchObject({
      value: bucketed.value,
      variant: bucketed.variant,
    });
    expect(await evaluate('limit', { groups: ['staff'] })).toMatchObject({
      value: 1000,
      variant: 'high',
      reason: 'TARGETING_MATCH',
    });
    expect(await evaluate('theme', { groups: ['staff'] })).toMatchObject({
      value: { bg: '#000', fg: ['#fff'] },
      variant: 'dark',
    });
  });

  it('answers the offValue where the feature is off, and no value (the code default) without one', async () => {
    await rollout.deactivate('button');
    expect(await evaluate('button', { targetingKey: '42' })).toMatchObject({
      value: 'grey',
      variant: 'off',
      reason: 'STATIC',
    });
    expect(await evaluate('limit', {})).toMatchObject({
      value: 1,
      variant: 'off',
      reason: 'TARGETING_MATCH',
      metadata: { rolloutReason: 'DEFAULT' },
    });
    const noValue = await evaluate('theme', {});
    expect(noValue).toMatchObject({ key: 'theme', variant: 'off', reason: 'TARGETING_MATCH' });
    expect(noValue).not.toHaveProperty('value');
    expect(noValue).not.toHaveProperty('errorCode');
  });

  it('carries variants and values in the bulk answer, whose ETag follows variant changes', async () => {
    const context = { context: { targetingKey: '42', groups: ['staff'] } };
    const res = await post(server, '/ofrep/v1/evaluate/flags', context);
    const etag = res.headers.get('etag') ?? '';
    const { flags } = (await res.json()) as { flags: Record<string, unknown>[] };
    expect(flags.map((f) => [f.key, f.value, f.variant])).toEqual([
      ['button', 'green', 'green'],
      ['everyone', true, 'on'],
      ['killed', false, 'off'],
      ['limit', 1000, 'high'],
      ['listed', true, 'on'],
      ['nobody', false, 'off'],
      ['theme', { bg: '#000', fg: ['#fff'] }, 'dark'],
      ['vips', false, 'off'],
    ]);
    const same = await post(server, '/ofrep/v1/evaluate/flags', context, { 'if-none-match': etag });
    expect(same.status).toBe(304);

    await rollout.setVariants('button', [
      { name: 'blue', weight: 50, value: 'navy' },
      { name: 'green', weight: 50, value: 'lime' },
    ]);
    const changed = await post(server, '/ofrep/v1/evaluate/flags', context, {
      'if-none-match': etag,
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const after = (await changed.json()) as { flags: Record<string, unknown>[] };
    expect(after.flags[0]).toMatchObject({ key: 'button', value: 'lime', variant: 'green' });
  });

  it('answers the bulk request with exactly what rollout.allFlags gives the same user', async () => {
    for (const [targetingKey, groups] of [
      ['42', ['staff']],
      ['u-1', []],
      ['u-7', ['beta']],
    ] as const) {
      const res = await post(server, '/ofrep/v1/evaluate/flags', {
        context: { targetingKey, groups },
      });
      const { flags } = (await res.json()) as { flags: Record<string, unknown>[] };
      const answers = rollout.allFlags({ id: targetingKey, groups });
      expect(flags.map((f) => f.key)).toEqual(Object.keys(answers));
      for (const flag of flags) {
        const answer = answers[flag.key as string];
        expect(answer, String(flag.key)).toBeDefined();
        expect(flag.variant).toBe(answer?.variant ?? (answer?.enabled ? 'on' : 'off'));
        expect(flag.metadata).toMatchObject({ rolloutReason: answer?.reason });
        if (answer?.value !== undefined) expect(flag.value).toEqual(answer.value);
      }
    }
  });
});
