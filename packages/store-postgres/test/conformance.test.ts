import { runStoreConformance } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema } from './helpers.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
});
afterAll(async () => {
  await server?.kill();
});

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'postgres',
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'PostgresStore',
    // A fresh schema per test isolates it; children get the same options and share it.
    options: async () => ({
      connectionString: server.url,
      schema: freshSchema(),
      // Several stores and child processes share one server: keep each pool small.
      poolSize: 4,
    }),
  },
);
