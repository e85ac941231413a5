import { join } from 'node:path';
import { openStore } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { SqliteStore, storeFromUrl } from '../src/index.js';
import { tempFiles } from './helpers.js';

const { dir } = tempFiles('url');

describe('storeFromUrl', () => {
  it('resolves sqlite:./flags.db against the working directory', () => {
    const store = storeFromUrl(new URL('sqlite:./flags.db'));
    expect(store).toBeInstanceOf(SqliteStore);
    expect(store.path).toBe(join(process.cwd(), 'flags.db'));
    expect(storeFromUrl(new URL('sqlite:flags.db')).path).toBe(join(process.cwd(), 'flags.db'));
    expect(storeFromUrl(new URL('sqlite:../up/x%20y.db')).path).toBe(
      join(process.cwd(), '..', 'up', 'x y.db'),
    );
  });

  it('takes sqlite:///abs/path.db as an absolute path', () => {
    expect(storeFromUrl(new URL('sqlite:///srv/app/flags.db')).path).toBe('/srv/app/flags.db');
    expect(storeFromUrl(new URL(`sqlite://${join(dir, 'a b.db')}`)).path).toBe(join(dir, 'a b.db'));
  });

  it('reads table, pollInterval, busyTimeout and changeLogSize from the query', () => {
    const store = storeFromUrl(new URL('sqlite:///tmp/x.db?table=flags&pollInterval=250'));
    expect(store.capabilities.pollIntervalMs).toBe(250);
    expect(() => storeFromUrl(new URL('sqlite:///tmp/x.db?busyTimeout=abc'))).toThrow(
      expect.objectContaining({ code: 'INVALID_STORE_URL' }),
    );
    expect(() => storeFromUrl(new URL('sqlite:///tmp/x.db?table=bad;name'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('refuses another scheme, a host, or no file', () => {
    for (const url of ['file:./x.db', 'sqlite://host/x.db', 'sqlite:', 'sqlite:///']) {
      expect(() => storeFromUrl(new URL(url)), url).toThrow(
        expect.objectContaining({ code: 'INVALID_STORE_URL' }),
      );
    }
  });

  it('is what openStore("sqlite:...") opens', async () => {
    // openStore imports the package by name (its built dist), so compare by name, not class.
    const store = await openStore(`sqlite://${join(dir, 'open.db')}`);
    try {
      expect(store.name).toBe('sqlite');
      expect(store.constructor.name).toBe('SqliteStore');
      expect(await store.revision()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
