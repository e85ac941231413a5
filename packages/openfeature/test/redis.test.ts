import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type EventDetails,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/server-sdk';
import { Rollout } from '@rollout/core';
import { RedisStore } from '@rollout/store-redis';
import { nextEmitted, uniqueName } from '@rollout/store-test-suite';
import { type RedisServer, startRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutProvider } from '../src/index.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Activates `name` from a separate node process with its own client, as another app would. */
async function activateElsewhere(url: string, prefix: string, name: string): Promise<void> {
  const script = `
    import { Rollout } from '@rollout/core';
    import { RedisStore } from '@rollout/store-redis';
    const rollout = new Rollout({ store: new RedisStore({ url: ${JSON.stringify(url)}, prefix: ${JSON.stringify(prefix)} }) });
    await rollout.ready();
    await rollout.activate(${JSON.stringify(name)});
    await rollout.close();`;
  await run(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir });
}

function providerEvent(event: ProviderEvents) {
  return nextEmitted<EventDetails>((listener) => {
    const handler = (details?: EventDetails) => listener(details ?? ({} as EventDetails));
    OpenFeature.addHandler(event, handler);
    return () => OpenFeature.removeHandler(event, handler);
  });
}

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await OpenFeature.clearProviders();
  await server?.kill();
});

describe('RolloutProvider on Redis', () => {
  it('hears a change made by another process as ConfigurationChanged, then goes Stale and back to Ready', async () => {
    const prefix = `${uniqueName('of')}:`;
    const seed = new Rollout({ store: new RedisStore({ url: server.url, prefix }) });
    await seed.ready();
    await seed.addFeature({ name: 'checkout' });
    await seed.close();

    const store = new RedisStore({ url: server.url, prefix });
    const provider = new RolloutProvider({ store });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    expect(await client.getBooleanValue('checkout', false, { targetingKey: '1' })).toBe(false);

    const changed = providerEvent(ProviderEvents.ConfigurationChanged);
    await activateElsewhere(server.url, prefix, 'checkout');
    expect((await changed).flagsChanged).toEqual(['checkout']);
    const details = await client.getBooleanDetails('checkout', false, { targetingKey: '1' });
    expect(details).toMatchObject({ value: true, reason: 'STATIC' });
    expect(details.flagMetadata.version).toBe(2);

    const stale = providerEvent(ProviderEvents.Stale);
    await server.stop();
    expect((await stale).message).toMatch(/unreachable/);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    // Still served from the last snapshot, flagged stale.
    const during = await client.getBooleanDetails('checkout', false, { targetingKey: '1' });
    expect(during).toMatchObject({ value: true, flagMetadata: { stale: true } });

    const ready = providerEvent(ProviderEvents.Ready);
    await server.start();
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);

    await OpenFeature.clearProviders();
    expect(provider.rollout.status).toBe('closed');
  });
});
