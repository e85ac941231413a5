import { OpenFeature } from '@openfeature/server-sdk';
import { Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutProvider } from '../src/index.js';

afterEach(async () => {
  await OpenFeature.clearProviders();
});

/** One feature per kind of value, each with a pinned user so the variant is known. */
async function valuedFlags(): Promise<Rollout> {
  const rollout = new Rollout({ store: new MemoryStore() });
  await rollout.ready();
  await rollout.addFeature({
    name: 'button',
    groups: ['ALL'],
    variants: [
      { name: 'blue', weight: 50, value: 'blue' },
      { name: 'green', weight: 50, value: 'green' },
    ],
    users: ['7'],
    userVariants: [{ user: '7', variant: 'green' }],
    offValue: 'grey',
  });
  await rollout.addFeature({
    name: 'limit',
    groups: ['staff'],
    variants: [
      { name: 'low', weight: 0, value: 10 },
      { name: 'high', weight: 100, value: 1000 },
    ],
    offValue: 1,
  });
  await rollout.addFeature({
    name: 'theme',
    percentage: 100,
    variants: [{ name: 'dark', weight: 100, value: { bg: '#000', fg: ['#fff'] } }],
  });
  await rollout.addFeature({
    name: 'toggle',
    groups: ['ALL'],
    variants: [
      { name: 'treatment', weight: 0, value: true },
      { name: 'control', weight: 100, value: false },
    ],
  });
  await rollout.addFeature({ name: 'plain', groups: ['ALL'] });
  await rollout.addFeature({ name: 'killed', groups: ['ALL', 'NONE'], offValue: 'none' });
  return rollout;
}

describe('RolloutProvider: string, number and object flags are variants', () => {
  it('resolves a string flag to the variant value, with variant, reason and flag metadata', async () => {
    const rollout = await valuedFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();

    // The reason is the step that turned the feature on (`ALL`); the pin chose the variant.
    const pinned = await client.getStringDetails('button', 'dflt', { targetingKey: '7' });
    expect(pinned).toMatchObject({ value: 'green', variant: 'green', reason: 'STATIC' });
    expect(pinned.flagMetadata).toMatchObject({
      hashVersion: 1,
      version: 1,
      rolloutReason: 'ALL',
      stale: false,
    });
    expect(pinned.errorCode).toBeUndefined();

    // The variant bucket decides for everyone else, as rollout.variant does.
    for (const id of ['1', '2', '3', '4', '5']) {
      const details = await client.getStringDetails('button', 'dflt', { targetingKey: id });
      const expected = rollout.variant({ id }, 'button');
      expect(details).toMatchObject({
        value: expected.value,
        variant: expected.variant,
        reason: 'STATIC',
      });
    }
    await rollout.close();
  });

  it('gives the offValue where the feature is off, and the default where it has none', async () => {
    const rollout = await valuedFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();

    expect(await client.getNumberDetails('limit', 5, { groups: ['staff'] })).toMatchObject({
      value: 1000,
      variant: 'high',
      reason: 'TARGETING_MATCH',
    });
    const off = await client.getNumberDetails('limit', 5, { groups: ['sales'] });
    expect(off).toMatchObject({ value: 1, variant: 'off', reason: 'DEFAULT' });
    expect(off.errorCode).toBeUndefined();
    expect(off.flagMetadata.rolloutReason).toBe('DEFAULT');

    expect(await client.getStringDetails('killed', 'dflt', {})).toMatchObject({
      value: 'none',
      variant: 'off',
      reason: 'DISABLED',
    });

    await rollout.deactivate('theme');
    const noValue = await client.getObjectDetails('theme', { bg: 'white' }, { targetingKey: '1' });
    expect(noValue).toMatchObject({ value: { bg: 'white' }, variant: 'off', reason: 'DEFAULT' });
    expect(noValue.errorCode).toBeUndefined();
    await rollout.close();
  });

  it('resolves an object flag to its JSON value', async () => {
    const rollout = await valuedFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const details = await OpenFeature.getClient().getObjectDetails(
      'theme',
      {},
      { targetingKey: '1' },
    );
    expect(details).toMatchObject({
      value: { bg: '#000', fg: ['#fff'] },
      variant: 'dark',
      reason: 'SPLIT',
    });
    expect(details.flagMetadata).toMatchObject({ rolloutReason: 'PERCENTAGE', version: 1 });
    await rollout.close();
  });

  it('answers TYPE_MISMATCH when the value has another JSON type, FLAG_NOT_FOUND when unknown', async () => {
    const rollout = await valuedFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();
    const mismatches = [
      await client.getNumberDetails('button', 3, { targetingKey: '7' }),
      await client.getObjectDetails('button', { a: 1 }, { targetingKey: '7' }),
      await client.getStringDetails('limit', 'x', { groups: ['staff'] }),
      await client.getStringDetails('theme', 'x', { targetingKey: '1' }),
      // The offValue is typed too.
      await client.getObjectDetails('limit', {}, { groups: ['sales'] }),
      // A plain boolean feature is a boolean flag.
      await client.getStringDetails('plain', 'x', {}),
      await client.getNumberDetails('plain', 3, {}),
    ];
    for (const details of mismatches) {
      expect(details).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
      expect(details.errorMessage).toMatch(/ flag, not a /);
    }
    expect(mismatches[0]?.value).toBe(3);

    for (const details of [
      await client.getStringDetails('missing', 'x', {}),
      await client.getNumberDetails('missing', 1, {}),
      await client.getObjectDetails('missing', {}, {}),
    ]) {
      expect(details).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    }
    await rollout.close();
  });

  it('answers a boolean ask by a boolean value, else by whether the feature is on', async () => {
    const rollout = await valuedFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();
    // String variants: whether the user is in; the variant is still named.
    expect(await client.getBooleanDetails('button', false, { targetingKey: '7' })).toMatchObject({
      value: true,
      variant: 'green',
      reason: 'STATIC',
    });
    expect(await client.getBooleanDetails('limit', true, { groups: ['sales'] })).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'DEFAULT',
    });
    // Boolean variants: the variant's value (the feature is on, the value false).
    expect(await client.getBooleanDetails('toggle', true, { targetingKey: '1' })).toMatchObject({
      value: false,
      variant: 'control',
      reason: 'STATIC',
    });
    expect(await client.getBooleanValue('killed', true, {})).toBe(false);
    await rollout.close();
  });

  it('follows variant changes made after the provider started', async () => {
    const rollout = await valuedFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();
    await rollout.setVariants('plain', [{ name: 'only', weight: 100, value: 'v2' }]);
    const details = await client.getStringDetails('plain', 'x', {});
    expect(details).toMatchObject({ value: 'v2', variant: 'only', reason: 'STATIC' });
    expect(details.flagMetadata.version).toBe(2);
    await rollout.clearVariants('plain');
    expect(await client.getStringDetails('plain', 'x', {})).toMatchObject({
      errorCode: 'TYPE_MISMATCH',
    });
    expect(await client.getBooleanDetails('plain', false, {})).toMatchObject({
      value: true,
      variant: 'on',
    });
    await rollout.close();
  });
});
