import { type EventDetails, OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import { nextEmitted } from '@rollout/store-test-suite';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutProvider } from '../src/index.js';

afterEach(async () => {
  await OpenFeature.clearProviders();
});

async function withFlags(): Promise<Rollout> {
  const rollout = new Rollout({ store: new MemoryStore() });
  await rollout.ready();
  await rollout.addFeature({ name: 'everyone', groups: ['ALL'] });
  await rollout.addFeature({ name: 'vips', groups: ['vip'] });
  await rollout.addFeature({ name: 'listed', users: ['42'] });
  await rollout.addFeature({ name: 'killed', groups: ['ALL', 'NONE'] });
  await rollout.addFeature({ name: 'half', percentage: 50 });
  await rollout.addFeature({
    name: 'nz',
    rules: [{ attribute: 'country', operator: 'in', values: ['NZ'] }],
  });
  await rollout.addFeature({ name: 'nobody' });
  return rollout;
}

describe('RolloutProvider with the real @openfeature/server-sdk', () => {
  it('has metadata.name rollout and waits for ready in initialize', async () => {
    const rollout = new Rollout({ store: new MemoryStore() });
    const provider = new RolloutProvider({ rollout });
    expect(provider.metadata.name).toBe('rollout');
    await OpenFeature.setProviderAndWait(provider);
    expect(rollout.isReady).toBe(true);
    await rollout.close();
  });

  it('resolves booleans with variant, the mapped reason and flag metadata', async () => {
    const rollout = await withFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();

    const all = await client.getBooleanDetails('everyone', false, { targetingKey: '1' });
    expect(all).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
    expect(all.flagMetadata).toMatchObject({
      hashVersion: 1,
      version: 1,
      rolloutReason: 'ALL',
      stale: false,
    });
    expect(typeof all.flagMetadata.revision).toBe('number');

    const listed = await client.getBooleanDetails('listed', false, { targetingKey: '42' });
    expect(listed).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const notListed = await client.getBooleanDetails('listed', true, { targetingKey: '7' });
    expect(notListed).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });
    expect(notListed.flagMetadata.rolloutReason).toBe('DEFAULT');

    expect(await client.getBooleanDetails('killed', true, {})).toMatchObject({
      value: false,
      reason: 'DISABLED',
    });
    const split = await client.getBooleanDetails('half', false, { targetingKey: 'u-1' });
    expect(['SPLIT', 'DEFAULT']).toContain(split.reason);
    expect(split.reason === 'SPLIT').toBe(split.value);
    expect(split.value).toBe(rollout.can({ id: 'u-1' }, 'half'));
    expect(await client.getBooleanValue('nobody', true, { targetingKey: '1' })).toBe(false);
    await rollout.close();
  });

  it('maps the context: targetingKey → id, groups → groups, the rest → attributes', async () => {
    const rollout = await withFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();
    expect(await client.getBooleanValue('vips', false, { groups: ['vip'] })).toBe(true);
    expect(await client.getBooleanValue('vips', false, { groups: ['staff'] })).toBe(false);
    expect(await client.getBooleanValue('nz', false, { country: 'NZ' })).toBe(true);
    expect(await client.getBooleanValue('nz', false, { country: 'AU' })).toBe(false);
    // `id` is not an id: only targetingKey is.
    expect(await client.getBooleanValue('listed', false, { id: '42' })).toBe(false);
    // A __proto__ key is an attribute, never a prototype lending groups.
    const hostile = JSON.parse('{"__proto__": {"groups": ["vip"]}}');
    expect(await client.getBooleanValue('vips', false, hostile)).toBe(false);

    const bad = await client.getBooleanDetails('vips', true, { groups: 'vip' });
    expect(bad).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
    await rollout.close();
  });

  it('answers FLAG_NOT_FOUND for unknown flags and TYPE_MISMATCH for non-boolean asks', async () => {
    const rollout = await withFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('missing', true, {})).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    for (const details of [
      await client.getStringDetails('everyone', 'dflt', {}),
      await client.getNumberDetails('everyone', 7, {}),
      await client.getObjectDetails('everyone', { a: 1 }, {}),
    ]) {
      expect(details).toMatchObject({ reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    }
    expect(await client.getStringValue('everyone', 'dflt', {})).toBe('dflt');
    expect(await client.getStringDetails('missing', 'x', {})).toMatchObject({
      errorCode: 'FLAG_NOT_FOUND',
    });
    await rollout.close();
  });

  it('emits ConfigurationChanged with flagsChanged for this process writes', async () => {
    const rollout = await withFlags();
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    const changed = nextEmitted<EventDetails>((listener) => {
      const handler = (details?: EventDetails) => listener(details ?? ({} as EventDetails));
      OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, handler);
      return () => OpenFeature.removeHandler(ProviderEvents.ConfigurationChanged, handler);
    });
    await rollout.activate('nobody');
    expect((await changed).flagsChanged).toEqual(['nobody']);
    expect(await OpenFeature.getClient().getBooleanValue('nobody', false, {})).toBe(true);
    await rollout.close();
  });

  it('closes the client it opened on a store, and not a client it was given', async () => {
    const store = new MemoryStore();
    const owning = new RolloutProvider({ store });
    await OpenFeature.setProviderAndWait(owning);
    await OpenFeature.clearProviders();
    expect(owning.rollout.status).toBe('closed');

    const rollout = new Rollout({ store: new MemoryStore() });
    await OpenFeature.setProviderAndWait(new RolloutProvider({ rollout }));
    await OpenFeature.clearProviders();
    expect(rollout.status).toBe('ready');
    await rollout.close();
  });

  it('rejects options that are neither { rollout } nor { store }', () => {
    // @ts-expect-error: no options
    expect(() => new RolloutProvider()).toThrow(/rollout.*store/);
    // @ts-expect-error: both
    expect(() => new RolloutProvider({ rollout: {}, store: new MemoryStore() })).toThrow(
      /not both/,
    );
  });
});
