import { join, resolve } from 'node:path';
import { openStore, StoreUrlError } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { FileStore, storeFromUrl } from '../src/index.js';
import { DIST } from './helpers.js';

describe('storeFromUrl', () => {
  it('resolves file:./relative and file:relative against the working directory', () => {
    expect(storeFromUrl('file:./data/flags.json').path).toBe(resolve('data/flags.json'));
    expect(storeFromUrl('file:data/flags.json').path).toBe(resolve('data/flags.json'));
  });

  it('takes file:///absolute paths as they are, as a string or a URL', () => {
    const store = storeFromUrl('file:///srv/app/flags%20prod.json');
    expect(store).toBeInstanceOf(FileStore);
    expect(store.path).toBe(join('/srv/app', 'flags prod.json'));
    expect(storeFromUrl(new URL('file:///srv/app/flags.json')).path).toBe('/srv/app/flags.json');
  });

  it('reads pollInterval and the other options from the query', () => {
    const store = storeFromUrl('file:./flags.json?pollInterval=250&watch=false');
    expect(store.capabilities.pollIntervalMs).toBe(250);
    expect(store.path).toBe(resolve('flags.json'));
  });

  it('rejects other schemes, URLs naming no file and bad options', () => {
    expect(() => storeFromUrl('redis://localhost')).toThrow(StoreUrlError);
    expect(() => storeFromUrl('file:')).toThrow(/must name a file/);
    expect(() => storeFromUrl('file:///srv/')).toThrow(/must name a file/);
    expect(() => storeFromUrl('file:./f.json?pollInterval=fast')).toThrow(/pollInterval/);
    expect(() => storeFromUrl('file:./f.json?watch=maybe')).toThrow(/true or false/);
  });

  it('a URL of another scheme is INVALID_STORE_URL', () => {
    for (const url of [new URL('memory:'), 'memory:', 'redis://localhost:6379']) {
      expect(() => storeFromUrl(url)).toThrow(
        expect.objectContaining({ code: 'INVALID_STORE_URL', name: 'StoreUrlError' }),
      );
    }
  });

  it('openStore("file:./flags.json") from core opens a FileStore in the working directory', async () => {
    const store = await openStore('file:./data/flags.json?pollInterval=300', {
      importer: () => import(/* @vite-ignore */ DIST),
    });
    expect(store.name).toBe('file');
    expect((store as FileStore).path).toBe(resolve('data/flags.json'));
    expect(store.capabilities.pollIntervalMs).toBe(300);
  });
});
