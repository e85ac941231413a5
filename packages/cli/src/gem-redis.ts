import { StoreUrlError } from '@rollout/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/**
 * The gem's raw data, in both layouts it ever used. Gem 2.x keeps the feature list
 * and one `feature:<name>` string per feature; gem 0.x/1.x kept one key per gate
 * and no list. A Redis migrated with the 2.x gem's `migrate: true` can hold both.
 */
export interface GemData {
  /** Names from `feature:__features__` (2.x), in the gem's order, without duplicates. */
  names: string[];
  /** `feature:<name>` → its string (2.x), or null when the key does not exist. */
  records: Map<string, string | null>;
  /** Features in the 1.x layout, by name, sorted; empty when there are none. */
  legacy: Map<string, LegacyGemKeys>;
  /** The key prefix used (from `?prefix=`), e.g. a redis-namespace `myapp:`. */
  prefix: string;
}

/** One feature's keys in the gem 0.x/1.x layout. */
export interface LegacyGemKeys {
  /** `feature:<name>:percentage`, a string (null when missing). */
  percentage: string | null;
  /** Members of the set `feature:<name>:users`. */
  users: string[];
  /** Members of the set `feature:<name>:groups`. */
  groups: string[];
  /** Whether the set `feature:__global__` (gem 1.2.0's `activate_globally`) lists it. */
  global: boolean;
}

/** The 1.x per-gate keys and the Redis type each must have. */
const LEGACY_SUFFIXES = { ':percentage': 'string', ':users': 'set', ':groups': 'set' } as const;

/** Minimal slice of ioredis this reader uses. */
interface GemRedisClient {
  connect(): Promise<void>;
  type(key: string): Promise<string>;
  get(key: string): Promise<string | null>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  smembers(key: string): Promise<string[]>;
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    n: number,
  ): Promise<[string, string[]]>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Keys fetched per MGET. */
const BATCH = 500;

/** `text` matched literally inside a Redis glob pattern. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Reads the gem 0.x/1.x layout: `feature:<name>:percentage` (string),
 * `feature:<name>:users` and `feature:<name>:groups` (sets), `feature:__global__`
 * (set of names). Found by SCAN, since that layout has no feature list; keys of
 * the wrong type, and keys that are 2.x records of a listed feature whose name
 * ends in `:users` (say), are not 1.x data.
 */
async function readLegacy(
  client: GemRedisClient,
  prefix: string,
  listed: ReadonlySet<string>,
): Promise<Map<string, LegacyGemKeys>> {
  const found = new Map<string, LegacyGemKeys>();
  const entry = (name: string): LegacyGemKeys => {
    let keys = found.get(name);
    if (!keys) {
      keys = { percentage: null, users: [], groups: [], global: false };
      found.set(name, keys);
    }
    return keys;
  };
  const base = `${prefix}feature:`;
  let cursor = '0';
  do {
    // The prefix is data: escaped so it matches literally.
    const [next, keys] = await client.scan(cursor, 'MATCH', `${globLiteral(base)}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const rest = key.slice(base.length);
      for (const [suffix, type] of Object.entries(LEGACY_SUFFIXES)) {
        const name = rest.slice(0, -suffix.length);
        if (!rest.endsWith(suffix) || name === '' || listed.has(rest)) continue;
        if ((await client.type(key)) !== type) continue;
        const keysOf = entry(name);
        if (suffix === ':percentage') keysOf.percentage = await client.get(key);
        else if (suffix === ':users') keysOf.users = await client.smembers(key);
        else keysOf.groups = await client.smembers(key);
      }
    }
  } while (cursor !== '0');
  const globalKey = `${base}__global__`;
  if ((await client.type(globalKey)) === 'set') {
    for (const name of await client.smembers(globalKey)) entry(name).global = true;
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reads the Ruby rollout gem's data from Redis, read-only, in both layouts: the
 * 2.x `feature:__features__` (comma-separated names) and every `feature:<name>`
 * string, and the 0.x/1.x per-gate keys (see {@link LegacyGemKeys}). `url` is a redis://
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
    const legacy = await readLegacy(client, prefix, new Set(names));
    return { names, records, legacy, prefix };
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}
