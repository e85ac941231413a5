import { randomUUID } from 'node:crypto';
import { runStoreConformance } from '@rollout/store-test-suite';
import { type RedisServer, useRedis } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConformanceUser,
  connectionNameFor,
  createConformanceUser,
  interruptRedisPush,
} from './push-interruption.js';

let server: RedisServer;
let user: ConformanceUser;
beforeAll(async () => {
  server = await useRedis();
  user = await createConformanceUser(server.url);
});
afterAll(async () => {
  await user?.drop();
  await server?.kill();
});

runStoreConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    name: 'redis',
    // The suite imports the store in child processes too, so it takes the built package.
    module: new URL('../dist/index.js', import.meta.url).href,
    exportName: 'RedisStore',
    options: () => {
      const prefix = `t-${randomUUID()}:`;
      // A user of their own (interruptPush refuses its reconnections) and named
      // connections (interruptPush finds the pub/sub one by name).
      return { url: user.url, prefix, redisOptions: { connectionName: connectionNameFor(prefix) } };
    },
    interruptPush: (store, duringGap) => interruptRedisPush(server.url, user)(store, duringGap),
  },
);
