import { Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
import { RedisStore } from '@rollout/store-redis';
import {
  createRolloutServer,
  type RolloutServer,
  type RolloutServerOptions,
} from '../src/index.js';

/** A client on a fresh MemoryStore with a few flags, ready. */
export async function flagsClient(): Promise<Rollout> {
  const rollout = new Rollout({ store: new MemoryStore() });
  await rollout.ready();
  await rollout.addFeature({ name: 'everyone', groups: ['ALL'] });
  await rollout.addFeature({ name: 'vips', groups: ['vip'] });
  await rollout.addFeature({ name: 'listed', users: ['42'] });
  await rollout.addFeature({ name: 'killed', groups: ['ALL', 'NONE'] });
  await rollout.addFeature({ name: 'nobody' });
  return rollout;
}

/**
 * A client on Redis (`url`, key `prefix`) with the flags the OFREP client tests read:
 * `checkout` (off), `everyone` (ALL), `beta` (group beta) and {@link addValuedFlags}.
 * It polls only every minute, so a change seen within a test came by push.
 */
export async function redisFlagsClient(url: string, prefix: string): Promise<Rollout> {
  const rollout = new Rollout({ store: new RedisStore({ url, prefix }), pollInterval: 60_000 });
  await rollout.ready();
  await rollout.addFeature({ name: 'checkout' });
  await rollout.addFeature({ name: 'everyone', groups: ['ALL'] });
  await rollout.addFeature({ name: 'beta', groups: ['beta'] });
  await addValuedFlags(rollout);
  return rollout;
}

/** A server over `rollout` with token `secret` unless options say otherwise. */
export function serverFor(
  rollout: Rollout,
  options: Partial<RolloutServerOptions> = {},
): RolloutServer {
  return createRolloutServer({ rollout, tokens: ['secret'], onError: () => {}, ...options });
}

/** POSTs JSON (or raw text) to the Fetch handler with the test token. */
export function post(
  server: RolloutServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return server.fetch(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer secret', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/**
 * Adds one flag per kind of value: `button` (strings, user 42 pinned to `green`,
 * offValue `grey`), `limit` (a number for group `staff`, offValue 1) and `theme` (an
 * object for `staff`, no offValue).
 */
export async function addValuedFlags(rollout: Rollout): Promise<void> {
  await rollout.addFeature({
    name: 'button',
    groups: ['ALL'],
    variants: [
      { name: 'blue', weight: 50, value: 'blue' },
      { name: 'green', weight: 50, value: 'green' },
    ],
    users: ['42'],
    userVariants: [{ user: '42', variant: 'green' }],
    offValue: 'grey',
  });
  await rollout.addFeature({
    name: 'limit',
    groups: ['staff'],
    variants: [{ name: 'high', weight: 100, value: 1000 }],
    offValue: 1,
  });
  await rollout.addFeature({
    name: 'theme',
    groups: ['staff'],
    variants: [{ name: 'dark', weight: 100, value: { bg: '#000', fg: ['#fff'] } }],
  });
}
