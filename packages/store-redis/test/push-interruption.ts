import { randomUUID } from 'node:crypto';
import type { FeatureStore } from '@rollout/core';
import { waitFor } from '@rollout/store-test-suite';
import { Redis } from 'ioredis';
import type { RedisStore } from '../src/index.js';

/** An ACL user the conformance stores log in as, so reconnections can be refused. */
export interface ConformanceUser {
  /** The user's name. */
  readonly name: string;
  /** The server's URL with this user's credentials: give it as the stores' `url`. */
  readonly url: string;
  /** Deletes the user (errors ignored: a server that is already gone took it along). */
  drop(): Promise<void>;
}

/** Runs `body` on a fresh admin connection to `url`. */
async function asAdmin<T>(url: string, body: (admin: Redis) => Promise<T>): Promise<T> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await admin.connect();
  try {
    return await body(admin);
  } finally {
    admin.disconnect();
  }
}

/**
 * Creates an ACL user with every permission. Its connections already logged in keep
 * working when it is switched `off`; new ones are refused, as a server that rejects
 * the credentials (rotated, or an ACL reload) refuses a client reconnecting after a drop.
 */
export async function createConformanceUser(url: string): Promise<ConformanceUser> {
  const name = `conformance-${randomUUID()}`;
  const password = randomUUID();
  await asAdmin(url, (admin) =>
    admin.call('ACL', 'SETUSER', name, 'on', `>${password}`, '~*', '&*', '+@all'),
  );
  const withUser = new URL(url);
  withUser.username = name;
  withUser.password = password;
  return {
    name,
    url: withUser.href,
    drop: () =>
      asAdmin(url, (admin) => admin.call('ACL', 'DELUSER', name)).then(
        () => undefined,
        () => undefined,
      ),
  };
}

/**
 * The `connectionName` the conformance suite gives a store's connections (through
 * `redisOptions`), so its pub/sub connection can be found on the server by name.
 */
export const connectionNameFor = (prefix: string) => `conformance-${prefix.replace(/:$/, '')}`;

/** The prefix of `store`'s keys, read back from its channel (`{<prefix>}changes`). */
function prefixOf(store: RedisStore): string {
  const match = /^\{(.+)\}changes$/.exec(store.keys.channel);
  if (!match?.[1]) throw new Error(`unexpected channel name ${store.keys.channel}`);
  return match[1];
}

/** How many connections are subscribed to `channel` right now. */
async function subscribers(admin: Redis, channel: string): Promise<number> {
  const reply = (await admin.pubsub('NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

/**
 * The conformance suite's `interruptPush` for Redis stores that log in as `user` and
 * name their connections with {@link connectionNameFor}: what a dropped connection
 * does in production. A separate raw client switches the user off (the store's
 * reconnection attempts are refused; connections already logged in, the writer's
 * included, keep working), finds the store's pub/sub connection in
 * `CLIENT LIST TYPE pubsub` by its name and `CLIENT KILL`s it. `duringGap` runs
 * while nothing is subscribed to the store's channel (checked after it); then the
 * user is switched on again and this waits until the store has subscribed again by itself.
 */
export function interruptRedisPush(url: string, user: ConformanceUser) {
  return (featureStore: FeatureStore, duringGap: () => Promise<void>): Promise<void> =>
    asAdmin(url, async (admin) => {
      const store = featureStore as RedisStore;
      const { channel } = store.keys;
      const name = connectionNameFor(prefixOf(store));
      const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ids = list
        .split('\n')
        .filter((line) => line.split(' ').includes(`name=${name}`))
        .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1]);
      if (ids.length !== 1 || ids[0] === undefined) {
        throw new Error(
          `expected one pub/sub connection named ${name}, found ${ids.length}:\n${list}`,
        );
      }
      await admin.call('ACL', 'SETUSER', user.name, 'off');
      try {
        await admin.client('KILL', 'ID', ids[0]);
        await duringGap();
        const during = await subscribers(admin, channel);
        if (during !== 0) {
          throw new Error(
            `the store was subscribed to ${channel} again (${during}) before the writes of the gap were done: ` +
              'they were not made in a gap, so this run proves nothing',
          );
        }
      } finally {
        await admin.call('ACL', 'SETUSER', user.name, 'on');
      }
      await waitFor(
        `the store's pub/sub connection to subscribe to ${channel} again`,
        async () => (await subscribers(admin, channel)) > 0,
        10_000,
      );
    });
}
