import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { feature, tempDir } from './helpers.js';

const dirs = tempDir('format');

function fresh(): { path: string; store: FileStore } {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'flags.json');
  return { path, store: new FileStore({ path }) };
}

describe('file layout', () => {
  it('a missing file is an empty store at revision 0, and is created on the first write', async () => {
    const { path, store } = fresh();
    expect(await store.snapshot()).toEqual({ revision: 0, features: [] });
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
    await store.put(feature({ name: 'a' }), 0);
    expect(JSON.parse(readFileSync(path, 'utf8')).revision).toBe(1);
  });

  it('writes the stable layout: sorted names, fixed field order, 2 spaces, trailing newline', async () => {
    const { path, store } = fresh();
    // Written out of order, with integer-like names that a JS object would put first.
    await store.put(feature({ name: 'zeta', users: [2, 1], data: { b: 1, a: [true] } }), 0);
    await store.put(feature({ name: '9', groups: ['vip'] }), 0);
    await store.put(feature({ name: '10', percentage: 12.5 }), 0);
    const stored = await store.get('10');
    await store.put({ ...stored!, description: 'ten' }, 1);
    const text = readFileSync(path, 'utf8');
    const expected = `{
  "format": "rollout/v1",
  "revision": 4,
  "features": {
    "10": {
      "description": "ten",
      "groups": [],
      "users": [],
      "excludedUsers": [],
      "percentage": 12.5,
      "rules": [],
      "data": {},
      "hashVersion": 1,
      "createdAt": "2026-01-02T03:04:05.000Z",
      "updatedAt": "2026-01-02T03:04:05.000Z",
      "version": 2
    },
    "9": {
      "description": "",
      "groups": [
        "vip"
      ],
      "users": [],
      "excludedUsers": [],
      "percentage": 0,
      "rules": [],
      "data": {},
      "hashVersion": 1,
      "createdAt": "2026-01-02T03:04:05.000Z",
      "updatedAt": "2026-01-02T03:04:05.000Z",
      "version": 1
    },
    "zeta": {
      "description": "",
      "groups": [],
      "users": [
        "1",
        "2"
      ],
      "excludedUsers": [],
      "percentage": 0,
      "rules": [],
      "data": {
        "b": 1,
        "a": [
          true
        ]
      },
      "hashVersion": 1,
      "createdAt": "2026-01-02T03:04:05.000Z",
      "updatedAt": "2026-01-02T03:04:05.000Z",
      "version": 1
    }
  }
}
`;
    expect(text).toBe(expected);
  });

  it('an empty store after removals is written as an empty features object', async () => {
    const { path, store } = fresh();
    await store.put(feature({ name: 'a' }), 0);
    await store.remove('a');
    expect(readFileSync(path, 'utf8')).toBe(
      '{\n  "format": "rollout/v1",\n  "revision": 2,\n  "features": {}\n}\n',
    );
  });

  it('reads a short hand-written file: missing fields default, a missing version counts as 1', async () => {
    const { path, store } = fresh();
    writeFileSync(
      path,
      JSON.stringify({
        format: 'rollout/v1',
        features: { beta: { groups: ['vip'], users: [123] }, off: {} },
      }),
    );
    const snap = await store.snapshot();
    expect(snap.revision).toBe(0);
    const beta = await store.get('beta');
    expect(beta).toMatchObject({ name: 'beta', groups: ['vip'], users: ['123'], version: 1 });
    // Compare-and-set works on it: the version read is the version to name.
    const next = await store.put({ ...beta!, percentage: 5 }, 1);
    expect(next.version).toBe(2);
    expect(JSON.parse(readFileSync(path, 'utf8')).revision).toBe(1);
  });

  it('names such as __proto__ and constructor round-trip without touching any prototype', async () => {
    const { path, store } = fresh();
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) {
      await store.put(feature({ name, users: [name], data: { note: name } }), 0);
    }
    const again = new FileStore({ path });
    const names = (await again.snapshot()).features.map((f) => f.name).sort();
    expect(names).toEqual(['__proto__', 'constructor', 'hasOwnProperty']);
    expect((await again.get('__proto__'))?.users).toEqual(['__proto__']);
    expect(readFileSync(path, 'utf8')).toContain('"__proto__": {');
    expect(({} as Record<string, unknown>).users).toBeUndefined();
  });

  it('keeps the permissions of an existing file when it replaces it', async () => {
    const { path, store } = fresh();
    await store.put(feature({ name: 'a' }), 0);
    const { chmodSync, statSync } = await import('node:fs');
    chmodSync(path, 0o600);
    await store.put(feature({ name: 'b' }), 0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('createDirectory lets connect() create the directory; without it a write says what is missing', async () => {
    const dir = join(dirs(), 'nested', 'deeper');
    const without = new FileStore({ path: join(dir, 'flags.json'), lockTimeout: 1000 });
    await without.connect();
    await expect(without.put(feature({ name: 'a' }), 0)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/does not exist; create it or pass createDirectory: true/),
    });
    const withDir = new FileStore({ path: join(dir, 'flags.json'), createDirectory: true });
    await withDir.connect();
    await withDir.put(feature({ name: 'a' }), 0);
    expect((await without.get('a'))?.version).toBe(1);
  });
});
