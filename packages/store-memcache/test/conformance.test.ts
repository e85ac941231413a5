import { runStoreConformance, uniqueName } from '@rollout/store-test-suite';
import { type MemcachedServer, useMemcached } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: MemcachedServer;
beforeAll(async () => {
  server = await useMemcached();
});
afterAll(async () => {
  await server?.kill();
});

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'memcache',
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'MemcacheStore',
    // A unique prefix isolates each test's store on the shared server.
    options: async () => ({ servers: server.servers, prefix: `${uniqueName('t')}:` }),
  },
);
