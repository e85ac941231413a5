import { ValidationError } from '@rollout/core';
import { makeFeature } from '@rollout/store-test-suite';
import { type PostgresServer, usePostgres } from '@rollout/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFromUrl } from '../src/index.js';
import { freshSchema } from './helpers.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
});
afterAll(async () => {
  await server?.kill();
});

describe('storeFromUrl', () => {
  it('opens postgres:// and postgresql:// URLs, reading schema and table from the query', async () => {
    for (const protocol of ['postgres:', 'postgresql:']) {
      const schema = freshSchema();
      const url = new URL(server.url);
      url.protocol = protocol;
      url.searchParams.set('schema', schema);
      url.searchParams.set('table', 'flags');
      url.searchParams.set('application_name', 'rollout-url-test');
      const store = storeFromUrl(url);
      try {
        expect(store.table).toBe(`"${schema}"."flags"`);
        await store.put(makeFeature({ name: 'via-url' }), 0);
        expect((await store.get('via-url'))?.version).toBe(1);
      } finally {
        await store.close();
      }
    }
  });

  it('reads migrate=false', async () => {
    const url = new URL(server.url);
    url.searchParams.set('schema', freshSchema());
    url.searchParams.set('migrate', 'false');
    const store = storeFromUrl(url);
    try {
      await expect(store.connect()).rejects.toThrow(/migrate is false/);
    } finally {
      await store.close();
    }
  });

  it('reads pollInterval, timeouts and poolSize as numbers', async () => {
    const url = new URL(server.url);
    url.searchParams.set('pollInterval', '1234');
    url.searchParams.set('connectTimeout', '2000');
    url.searchParams.set('queryTimeout', '3000');
    url.searchParams.set('poolSize', '2');
    const store = storeFromUrl(url);
    expect(store.capabilities.pollIntervalMs).toBe(1234);
    await store.close();
    for (const bad of [
      'pollInterval=0',
      'pollInterval=-5',
      'queryTimeout=1.5',
      'poolSize=',
      'connectTimeout=abc',
    ]) {
      expect(() => storeFromUrl(new URL(`${server.url}?${bad}`))).toThrow(ValidationError);
    }
  });

  it('defaults to public.rollout_features', async () => {
    const store = storeFromUrl(new URL(server.url));
    expect(store.table).toBe('"public"."rollout_features"');
    await store.close();
  });

  it('rejects other schemes, bad flags, repeated parameters and bad identifiers', () => {
    expect(() => storeFromUrl(new URL('redis://127.0.0.1:6379'))).toThrow(ValidationError);
    // Another store's scheme is a store URL error, as in every store.
    for (const other of ['memory:', 'redis://127.0.0.1:6379', 'file:./flags.json']) {
      expect(() => storeFromUrl(new URL(other))).toThrow(
        expect.objectContaining({ code: 'INVALID_STORE_URL' }),
      );
    }
    // The password never reaches an error message.
    expect(() => storeFromUrl(new URL('mysql://app:s3cret@db/x'))).toThrow(
      /mysql:\/\/app:\*\*\*@db/,
    );
    expect(() => storeFromUrl(new URL(`${server.url}?migrate=maybe`))).toThrow(ValidationError);
    expect(() => storeFromUrl(new URL(`${server.url}?schema=a&schema=b`))).toThrow(ValidationError);
    expect(() => storeFromUrl(new URL(`${server.url}?schema=a%3Bdrop`))).toThrow(ValidationError);
    expect(() => storeFromUrl(new URL(`${server.url}?table=x%22y`))).toThrow(ValidationError);
  });
});
