import { uniqueName } from '@rollout/store-test-suite';
import { type RedisServer, useRedis } from '@rollout/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** A key prefix no other test uses (Redis prefixes end in `:` by convention). */
export const uniquePrefix = (label: string) => `${uniqueName(label)}:`;

/**
 * The Redis server of one test file and a raw ioredis client on it (for writing and
 * inspecting keys beside the store): started before the file's tests, stopped after.
 * Read `server` and `raw` inside tests and hooks, once `beforeAll` has run.
 */
export function redisPerFile(): { readonly server: RedisServer; readonly raw: Redis } {
  let server: RedisServer | undefined;
  let raw: Redis | undefined;
  beforeAll(async () => {
    server = await useRedis();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    await raw?.quit();
    await server?.kill();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('redisPerFile: read before beforeAll ran');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get raw() {
      return started(raw);
    },
  };
}
