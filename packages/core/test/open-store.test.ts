import { describe, expect, it } from 'vitest';
import {
  type FeatureStore,
  isRolloutError,
  openStore,
  parseStoreUrl,
  redactStoreUrl,
  registerStore,
  StoreUrlError,
  storePackageFor,
} from '../src/index.js';
import { MemoryFeatureStore } from '../src/store-kit/index.js';

describe('store URLs', () => {
  it('maps each scheme to its store package', () => {
    expect(parseStoreUrl('memory:').packageName).toBe('@rollout/store-memory');
    expect(parseStoreUrl('file:./flags.json').packageName).toBe('@rollout/store-file');
    expect(parseStoreUrl('redis://localhost:6379').packageName).toBe('@rollout/store-redis');
    expect(parseStoreUrl('rediss://localhost:6380').packageName).toBe('@rollout/store-redis');
    expect(parseStoreUrl('postgres://u@h/db').packageName).toBe('@rollout/store-postgres');
    expect(parseStoreUrl('postgresql://u@h/db').packageName).toBe('@rollout/store-postgres');
    expect(parseStoreUrl('memcache://a:11211,b:11211').packageName).toBe('@rollout/store-memcache');
    expect(parseStoreUrl('sqlite:./flags.db').packageName).toBe('@rollout/store-sqlite');
    expect(parseStoreUrl('sqlite:///srv/flags.db').packageName).toBe('@rollout/store-sqlite');
  });

  it('maps any other scheme x: to the package rollout-store-x, by convention', () => {
    expect(parseStoreUrl('mongodb://h/db').packageName).toBe('rollout-store-mongodb');
    expect(parseStoreUrl('DynamoDB:table').packageName).toBe('rollout-store-dynamodb');
    expect(storePackageFor('etcd:')).toBe('rollout-store-etcd');
  });

  it('resolves a relative file: URL against the working directory (new URL would drop it)', () => {
    const cwd = process.cwd();
    expect(parseStoreUrl('file:./flags.json?pollInterval=5').url.href).toBe(
      `${new URL(`file://${cwd}/flags.json`).href}?pollInterval=5`,
    );
    expect(parseStoreUrl('file:data/flags.json').url.pathname).toBe(`${cwd}/data/flags.json`);
    expect(parseStoreUrl('file:///abs/flags.json').url.pathname).toBe('/abs/flags.json');
  });

  it('rejects malformed URLs with a typed error', () => {
    expect(() => parseStoreUrl('not a url')).toThrow(/not a valid store URL/);
    expect(() => parseStoreUrl('')).toThrow(/a store URL is required/);
  });

  it('never shows passwords or secret parameters', () => {
    expect(redactStoreUrl('redis://user:hunter2@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactStoreUrl('postgres://u:p%40ss@h/db?sslpassword=abc&table=t')).not.toMatch(
      /p%40ss|abc/,
    );
    let error: unknown;
    try {
      parseStoreUrl('mongodb://admin:hunter2@host:99999/db'); // port out of range: not a URL
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreUrlError);
    expect(String((error as Error).message)).not.toContain('hunter2');
  });

  it('names the package to install when the store package is missing', async () => {
    // @rollout/core does not depend on any store, so from here no store package resolves.
    const attempt = openStore('redis://:hunter2@127.0.0.1:1/0', {
      importer: (name) => import(/* @vite-ignore */ `${name}-not-installed`),
    });
    await expect(attempt).rejects.toThrow(StoreUrlError);
    await expect(attempt).rejects.toThrow(/needs @rollout\/store-redis: install it/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });
});

describe('stores by URL from anywhere', () => {
  const missing = (name: string) => import(/* @vite-ignore */ `${name}-not-installed`);

  it('opens x: with the package rollout-store-x and its storeFromUrl', async () => {
    const asked: string[] = [];
    const store = await openStore('acme://flags/prod', {
      importer: async (name) => {
        asked.push(name);
        return { storeFromUrl: (url: URL) => new MemoryFeatureStore({ name: url.host }) };
      },
    });
    expect(asked).toEqual(['rollout-store-acme']);
    expect(store.name).toBe('flags');
  });

  it('an unknown scheme whose package is missing names both ways in, without secrets', async () => {
    const error = await openStore('acme://u:hunter2@flags/prod', { importer: missing }).catch(
      (e: unknown) => e,
    );
    expect(isRolloutError(error, 'INVALID_STORE_URL')).toBe(true);
    const message = String((error as Error).message);
    expect(message).toContain('unknown store URL scheme "acme:"');
    expect(message).toContain('install a package named rollout-store-acme');
    expect(message).toContain('registerStore("acme:"');
    expect(message).not.toContain('hunter2');
    expect((error as StoreUrlError).packageName).toBe('rollout-store-acme');
  });

  it('registerStore(scheme, loader) opens the scheme with the loader, before any package', async () => {
    const urls: string[] = [];
    const unregister = registerStore('Acme', async () => ({
      storeFromUrl: async (url: URL): Promise<FeatureStore> => {
        urls.push(url.href);
        return new MemoryFeatureStore({ name: 'acme' });
      },
    }));
    try {
      const store = await openStore('acme://flags/prod', { importer: missing });
      expect(store.name).toBe('acme');
      expect(urls).toEqual(['acme://flags/prod']);
      // A registration also wins over a built-in scheme (a store under test, a fork).
      const undo = registerStore('memory:', () => ({
        storeFromUrl: () => new MemoryFeatureStore({ name: 'mine' }),
      }));
      expect((await openStore('memory:', { importer: missing })).name).toBe('mine');
      undo();
    } finally {
      unregister();
    }
    await expect(openStore('acme://flags/prod', { importer: missing })).rejects.toThrow(
      /unknown store URL scheme/,
    );
    await expect(openStore('memory:', { importer: missing })).rejects.toThrow(
      /needs @rollout\/store-memory: install it/,
    );
  });

  it('registerStore refuses what is not a scheme or not a loader; a failing loader is a StoreUrlError', async () => {
    expect(() =>
      registerStore('not a scheme', () => ({ storeFromUrl: () => new MemoryFeatureStore() })),
    ).toThrow(StoreUrlError);
    expect(() => registerStore('ok', 'nope' as never)).toThrow(/loader must be a function/);
    const unregister = registerStore('broken', () => {
      throw new Error('boom');
    });
    try {
      const error = await openStore('broken:x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUrlError);
      expect((error as Error).message).toContain('loading the store registered for broken: failed');
      expect((error as Error).cause).toMatchObject({ message: 'boom' });
    } finally {
      unregister();
    }
  });
});

describe('host lists', () => {
  it('moves a comma-separated host list into the servers parameter', () => {
    const { url } = parseStoreUrl('memcache://a:11211,b:11212?prefix=app');
    expect(url.hostname).toBe('a');
    expect(url.port).toBe('11211');
    expect(url.searchParams.get('servers')).toBe('a:11211,b:11212');
    expect(url.searchParams.get('prefix')).toBe('app');
  });
});
