import { StoreUrlError } from '@rollout/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** The gem's raw data: the feature list and each `feature:<name>` string (null when missing). */
export interface GemData {
  /** Names from `feature:__features__`, in the gem's order, without duplicates. */
  names: string[];
  /** `feature:<name>` → its string, or null when the key does not exist. */
  records: Map<string, string | null>;
  /** The key prefix used (from `?prefix=`), e.g. a redis-namespace `myapp:`. */
  prefix: string;
}

/** Minimal slice of ioredis this reader uses. */
interface GemRedisClient {
  connect(): Promise<void>;
  type(key: string): Promise<string>;
  get(key: string): Promise<string | null>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Keys fetched per MGET. */
const BATCH = 500;

/**
 * Reads the Ruby rollout gem's data from Redis, read-only: `feature:__features__`
 * (comma-separated names) and every `feature:<name>` string. `url` is a redis://
 * or rediss:// URL; `?prefix=` names a key prefix (redis-namespace) and is removed
 * before connecting. `redactedUrl` is what error messages show.
 */
export async function readGemData(url: string, redactedUrl: string): Promise<GemData> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new StoreUrlError(`--from ${JSON.stringify(redactedUrl)} is not a valid URL`, {
      cause: error,
    });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new StoreUrlError(
      `--from must be the gem's Redis (redis://host:port/db or rediss://…), got ${JSON.stringify(redactedUrl)}`,
    );
  }
  const prefix = parsed.searchParams.get('prefix') ?? '';
  parsed.searchParams.delete('prefix');
  const mod = (await import('ioredis')) as unknown as {
    Redis?: new (url: string, options: object) => GemRedisClient;
    default?: new (url: string, options: object) => GemRedisClient;
  };
  const RedisClass = mod.Redis ?? mod.default;
  if (!RedisClass) throw new CliError('ioredis could not be loaded', EXIT.ERROR);
  const client = new RedisClass(parsed.href, {
    lazyConnect: true,
    // Fail fast instead of reconnecting forever: this is a one-shot read.
    retryStrategy: () => null,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 10_000,
  });
  let lastError: unknown;
  client.on('error', (error) => {
    lastError = error;
  });
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new CliError(
        `cannot reach the gem's Redis at ${redactedUrl}: ${error instanceof Error ? error.message : String(lastError)}`,
        EXIT.ERROR,
        { cause: error },
      );
    }
    const listKey = `${prefix}feature:__features__`;
    const type = await client.type(listKey);
    if (type === 'set') {
      throw new CliError(
        `${JSON.stringify(listKey)} is a set: this is rollout gem 0.x data (one set per feature), which used another percentage formula`,
        EXIT.ERROR,
        {
          hint: "migrate it with the gem's own Rollout::Legacy (Rollout.new(redis, migrate: true)) first",
        },
      );
    }
    if (type !== 'string' && type !== 'none') {
      throw new CliError(
        `${JSON.stringify(listKey)} is a Redis ${type}, not the gem's feature list`,
        EXIT.ERROR,
      );
    }
    const list = type === 'none' ? '' : ((await client.get(listKey)) ?? '');
    const names = [...new Set(list.split(',').filter((n) => n !== ''))];
    const records = new Map<string, string | null>();
    for (let i = 0; i < names.length; i += BATCH) {
      const batch = names.slice(i, i + BATCH);
      // Names are data: each becomes one literal key, never a pattern.
      const values = await client.mget(...batch.map((n) => `${prefix}feature:${n}`));
      batch.forEach((n, j) => {
        records.set(n, values[j] ?? null);
      });
    }
    return { names, records, prefix };
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}
