// The suite file of a store outside the monorepo, run with node:test (no vitest needed).
import { after, describe, it } from 'node:test';
import { runStoreConformance } from '@rollout/store-test-suite';

runStoreConformance(
  { describe, it: (name, body, timeout) => it(name, { timeout }, body), afterAll: after },
  {
    name: 'outside',
    module: new URL('./my-store.mjs', import.meta.url).href,
    exportName: 'OutsideStore',
    options: () => ({}),
    // The kit's store calls its subscribers in-process: there is no channel to cut.
    noPushGap: 'in-process',
  },
);
