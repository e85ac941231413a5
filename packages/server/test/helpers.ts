import { Rollout } from '@rollout/core';
import { MemoryStore } from '@rollout/store-memory';
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
