import { describe, expect, it } from 'vitest';
import { openStore, parseStoreUrl, redactStoreUrl, StoreUrlError } from '../src/index.js';

describe('store URLs', () => {
  it('maps each scheme to its store package', () => {
    expect(parseStoreUrl('memory:').packageName).toBe('@rollout/store-memory');
    expect(parseStoreUrl('file:./flags.json').packageName).toBe('@rollout/store-file');
    expect(parseStoreUrl('redis://localhost:6379').packageName).toBe('@rollout/store-redis');
    expect(parseStoreUrl('rediss://localhost:6380').packageName).toBe('@rollout/store-redis');
    expect(parseStoreUrl('postgres://u@h/db').packageName).toBe('@rollout/store-postgres');
    expect(parseStoreUrl('postgresql://u@h/db').packageName).toBe('@rollout/store-postgres');
    expect(parseStoreUrl('memcache://a:11211,b:11211').packageName).toBe('@rollout/store-memcache');
  });

  it('resolves a relative file: URL against the working directory (new URL would drop it)', () => {
    const cwd = process.cwd();
    expect(parseStoreUrl('file:./flags.json?pollInterval=5').url.href).toBe(
      `${new URL(`file://${cwd}/flags.json`).href}?pollInterval=5`,
    );
    expect(parseStoreUrl('file:data/flags.json').url.pathname).toBe(`${cwd}/data/flags.json`);
    expect(parseStoreUrl('file:///abs/flags.json').url.pathname).toBe('/abs/flags.json');
  });

  it('rejects unknown schemes and malformed URLs with a typed error', () => {
    expect(() => parseStoreUrl('mongodb://x')).toThrow(StoreUrlError);
    expect(() => parseStoreUrl('mongodb://x')).toThrow(/unknown store URL scheme "mongodb:"/);
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
      parseStoreUrl('mongodb://admin:hunter2@host/db');
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

describe('host lists', () => {
  it('moves a comma-separated host list into the servers parameter', () => {
    const { url } = parseStoreUrl('memcache://a:11211,b:11212?prefix=app');
    expect(url.hostname).toBe('a');
    expect(url.port).toBe('11211');
    expect(url.searchParams.get('servers')).toBe('a:11211,b:11212');
    expect(url.searchParams.get('prefix')).toBe('app');
  });
});
