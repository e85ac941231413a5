import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureStore } from '@rollout/core';
import { loadStoreClass } from '@rollout/store-test-suite';

/** The stores the bench knows. */
export type StoreKey = 'memory' | 'file' | 'redis' | 'postgres' | 'memcache' | 'sqlite';

/** A plain read of the same stored data through the backend's own client, for comparison. */
export interface RawReader {
  /** What the raw read does, for the table. */
  readonly what: string;
  /** Reads the stored record of `name` (returns whatever the client returns). */
  read(name: string): Promise<unknown>;
  close(): Promise<void>;
}

/** One store available in this run. */
export interface StoreTarget {
  readonly key: StoreKey;
  /** Package the store comes from (children import it by this name). */
  readonly module: string;
  readonly exportName: string;
  /** True for stores on a server (redis, postgres, memcache). */
  readonly server: boolean;
  /** JSON-serializable options for a fresh, empty, isolated namespace (prefix, table, file). */
  freshOptions(): Record<string, unknown>;
  /** A store instance from options (this process). */
  create(options: Record<string, unknown>): FeatureStore;
  /** A raw read of the same data as `store.get` (the backend's own client, or the file). */
  rawReader?(options: Record<string, unknown>): Promise<RawReader>;
}

/** The stores of this run, and why the others are missing. */
export interface Catalog {
  readonly stores: StoreTarget[];
  readonly skipped: { key: StoreKey; reason: string }[];
  /** Stops the servers this run started and removes temp files. */
  close(): Promise<void>;
}

type StoreClass = new (options: Record<string, unknown>) => FeatureStore;

/**
 * The package's file URL as resolved from this (bench) package, which depends on every
 * store: the loader and the child processes then import that file, wherever they live.
 */
function resolveFromBench(packageName: string): string {
  try {
    return import.meta.resolve(packageName);
  } catch {
    return packageName; // not installed: loadClass reports why
  }
}

/** Imports a store package and returns its class, or why it cannot be used. */
async function loadClass(module: string, exportName: string): Promise<StoreClass | string> {
  try {
    return (await loadStoreClass(module, exportName)) as StoreClass;
  } catch (error) {
    return `${module} cannot be used (package not built?): ${(error as Error).message.split('\n')[0]}`;
  }
}

interface TestServers {
  startRedis(): Promise<{ url: string; kill(): Promise<void> }>;
  startPostgres(): Promise<{ url: string; kill(): Promise<void> }>;
  startMemcached(): Promise<{ servers: string; kill(): Promise<void> }>;
}

/** A short unique id for prefixes and table names (letters and digits only). */
function uid(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}

/**
 * Finds the stores that exist in this checkout, starts throwaway servers for the
 * server stores with @rollout/test-servers, and says why any store is left out.
 */
export async function openCatalog(wanted: readonly StoreKey[]): Promise<Catalog> {
  const stores: StoreTarget[] = [];
  const skipped: { key: StoreKey; reason: string }[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const tempFiles: string[] = [];
  let servers: TestServers | string | undefined;
  const testServers = async (): Promise<TestServers | string> => {
    if (servers === undefined) {
      try {
        const mod = (await import('@rollout/test-servers')) as Partial<TestServers>;
        servers =
          typeof mod.startRedis === 'function'
            ? (mod as TestServers)
            : '@rollout/test-servers is not built yet';
      } catch (error) {
        servers = `@rollout/test-servers cannot be imported: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    return servers;
  };

  for (const key of wanted) {
    const module = resolveFromBench(`@rollout/store-${key}`);
    const exportName = {
      memory: 'MemoryStore',
      file: 'FileStore',
      redis: 'RedisStore',
      postgres: 'PostgresStore',
      memcache: 'MemcacheStore',
      sqlite: 'SqliteStore',
    }[key];
    const cls = await loadClass(module, exportName);
    if (typeof cls === 'string') {
      skipped.push({ key, reason: cls });
      continue;
    }
    const base = { key, module, exportName, create: (o: Record<string, unknown>) => new cls(o) };
    try {
      if (key === 'memory') {
        stores.push({ ...base, server: false, freshOptions: () => ({}) });
      } else if (key === 'file') {
        stores.push({
          ...base,
          server: false,
          freshOptions: () => {
            // A directory per namespace: the store keeps its lock and temp files beside the file.
            const dir = mkdtempSync(join(tmpdir(), 'rollout-bench-'));
            tempFiles.push(dir);
            return { path: join(dir, 'flags.json') };
          },
          rawReader: async (o) => ({
            what: 'fs.readFile of the whole flags file',
            read: (_name) => readFile(String(o.path), 'utf8'),
            close: async () => {},
          }),
        });
      } else if (key === 'sqlite') {
        stores.push({
          ...base,
          server: false,
          freshOptions: () => {
            // A directory per namespace: the database keeps its -wal and -shm files beside it.
            const dir = mkdtempSync(join(tmpdir(), 'rollout-bench-'));
            tempFiles.push(dir);
            return { path: join(dir, 'flags.db') };
          },
          rawReader: async (o) => {
            const Database = (await import('better-sqlite3')).default;
            const db = new Database(String(o.path), { readonly: true });
            // The store's documented layout: one row per feature in "rollout_features".
            const get = db.prepare(
              'SELECT document, version FROM "rollout_features" WHERE name = ?',
            );
            return {
              what: 'better-sqlite3 SELECT document, version ... WHERE name = ?',
              read: async (name) => get.get(name),
              close: async () => void db.close(),
            };
          },
        });
      } else {
        const ts = await testServers();
        if (typeof ts === 'string') {
          skipped.push({ key, reason: ts });
          continue;
        }
        if (key === 'redis') {
          const server = await ts.startRedis();
          cleanups.push(() => server.kill());
          stores.push({
            ...base,
            server: true,
            freshOptions: () => ({ url: server.url, prefix: `bench-${uid()}:` }),
            rawReader: async (o) => {
              const { Redis } = await import('ioredis');
              const client = new Redis(server.url);
              // The store's documented layout: hash `{<prefix>}features`, field = feature name.
              const hash = `{${String(o.prefix)}}features`;
              return {
                what: `ioredis HGET ${hash} <name>`,
                read: (name) => client.hget(hash, name),
                close: async () => void client.disconnect(),
              };
            },
          });
        } else if (key === 'postgres') {
          const server = await ts.startPostgres();
          cleanups.push(() => server.kill());
          stores.push({
            ...base,
            server: true,
            freshOptions: () => ({ connectionString: server.url, table: `bench_${uid()}` }),
            rawReader: async (o) => {
              const pg = (await import('pg')).default;
              const pool = new pg.Pool({ connectionString: server.url, max: 2 });
              // The store's documented schema: one row per feature in "public"."<table>",
              // its user ids as rows of "public"."<table>_ids" (schema version 3): the same
              // record, read the way the store reads it, natively.
              const table = `"public"."${String(o.table)}"`;
              const ids = `"public"."${String(o.table)}_ids"`;
              const list = (name: string) =>
                `(SELECT json_agg(i.id) FROM ${ids} i WHERE i.feature = f.name AND i.list = '${name}' AND i.present)`;
              const sql = `SELECT f.document, f.version, ${list('users')} AS users, ${list('excludedUsers')} AS excluded FROM ${table} f WHERE f.name = $1`;
              return {
                what: `pg SELECT document, version, ids as json_agg ... WHERE name = $1`,
                read: async (name) => (await pool.query(sql, [name])).rows[0],
                close: () => pool.end(),
              };
            },
          });
        } else {
          const server = await ts.startMemcached();
          cleanups.push(() => server.kill());
          stores.push({
            ...base,
            server: true,
            freshOptions: () => ({ servers: server.servers, prefix: `bench-${uid()}:` }),
            rawReader: async (o) => {
              const memjs = (await import('memjs')).default;
              const client = memjs.Client.create(server.servers, { retries: 0, timeout: 2 });
              const prefix = String(o.prefix);
              const { shardOf } = await import('@rollout/store-memcache');
              // The store's documented layout: index shard `<prefix>index:<shardOf(name)>`
              // lists the feature's record token; the record lives in
              // `<prefix>record:<token>:<part>`. The raw read is the one GET of the record
              // chunk (its key looked up once, untimed).
              const keys = new Map<string, string>();
              return {
                what: `memjs GET <prefix>record:<token>:0`,
                read: async (name) => {
                  let key = keys.get(name);
                  if (key === undefined) {
                    const index = await client.get(`${prefix}index:${shardOf(name)}`);
                    const parsed = JSON.parse(String(index.value)) as {
                      features: { n: string; t: string }[];
                    };
                    const entry = parsed.features.find((f) => f.n === name);
                    if (!entry) throw new Error(`no index entry for ${name}`);
                    key = `${prefix}record:${entry.t}:0`;
                    keys.set(name, key);
                  }
                  return (await client.get(key)).value;
                },
                close: async () => client.close(),
              };
            },
          });
        }
      }
    } catch (error) {
      skipped.push({
        key,
        reason: `could not start its server: ${(error as Error).message.split('\n')[0]}`,
      });
    }
  }
  return {
    stores,
    skipped,
    close: async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
      for (const dir of tempFiles) await rm(dir, { recursive: true, force: true });
    },
  };
}
