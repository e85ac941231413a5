import { runStoreConformance } from '@rollout/store-test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'memory',
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'MemoryStore',
    options: () => ({}),
    // Subscribers are called in this process as each write returns: no connection or watch to lose.
    noPushGap: 'in-process: subscribers are called directly, there is no channel to cut',
  },
);
