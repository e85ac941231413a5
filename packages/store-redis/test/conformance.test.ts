import { randomUUID } from 'node:crypto';
import { runStoreConformance } from '@rollout/store-test-suite';
import { type RedisServer, useRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: RedisServer;
beforeAll(async () => {
  server = await useRedis();
});
afterAll(async () => server?.kill());

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'redis',
    // The suite imports the store in child processes too, so it takes the built package.
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'RedisStore',
    options: () => ({ url: server.url, prefix: `t-${randomUUID()}:` }),
  },
);
