import { RolloutError, StoreError, StoreUnavailableError } from '@rollout/core';

/** The store name used in every error: `[rollout] [redis] ...`. */
export const STORE_NAME = 'redis';

// Server replies that mean "not now" rather than "wrong": the server is loading,
// busy with a script, failing over, or the cluster is resharding.
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS)\b/;

/**
 * Wraps whatever ioredis threw into a rollout store error with `cause` kept:
 * error replies from the server become StoreError, everything about reaching the
 * server (refused, closed, offline, timed out, transient replies) StoreUnavailableError.
 */
export function toStoreError(error: unknown, what: string): RolloutError {
  if (error instanceof RolloutError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const isReply = error instanceof Error && error.name === 'ReplyError';
  if (isReply && !TRANSIENT_REPLY.test(message)) {
    return new StoreError(STORE_NAME, `${what} failed: ${message}`, { cause: error });
  }
  return new StoreUnavailableError(
    STORE_NAME,
    `${what} failed: Redis is unavailable (${message})`,
    {
      cause: error,
    },
  );
}
