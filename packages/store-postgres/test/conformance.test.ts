import { runStoreConformance } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema } from './helpers.js';
import { createListenRole, interruptPostgresPush, type ListenRole } from './push-interruption.js';

let server: PostgresServer;
let listenRole: ListenRole;
beforeAll(async () => {
  server = await usePostgres();
  listenRole = await createListenRole(server.url);
});
afterAll(async () => {
  await listenRole?.drop();
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
      // LISTEN logs in as a role of its own, so interruptPush can keep it (only it) out.
      listenConnectionString: listenRole.listenConnectionString,
      schema: freshSchema(),
      // Several stores and child processes share one server: keep each pool small.
      poolSize: 4,
    }),
    interruptPush: (store, duringGap) =>
      interruptPostgresPush(server.url, listenRole)(store, duringGap),
  },
);
