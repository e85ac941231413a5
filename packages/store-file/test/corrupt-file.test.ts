import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptDataError, Rollout } from '@rollout/core';
import { nextEvent } from '@rollout/store-test-suite';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { feature, tempDir } from './helpers.js';

const dirs = tempDir('corrupt');

/** Writes `text` as the flags file and returns a store on it. */
function storeWith(text: string): { path: string; store: FileStore } {
  const dir = dirs();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'flags.json');
  writeFileSync(path, text);
  return { path, store: new FileStore({ path }) };
}

const GOOD = `{
  "format": "rollout/v1",
  "revision": 3,
  "features": {
    "beta": {
      "groups": ["vip"],
      "version": 2
    }
  }
}
`;

/** Every read and every write fails with the same CorruptDataError, and the file is untouched. */
async function expectCorrupt(text: string, location: RegExp, problem: RegExp): Promise<void> {
  const { path, store } = storeWith(text);
  const before = readFileSync(path);
  const check = (error: unknown) => {
    expect(error).toBeInstanceOf(CorruptDataError);
    const e = error as CorruptDataError;
    expect(e.code).toBe('CORRUPT_DATA');
    expect(e.store).toBe('file');
    expect(e.location.startsWith(`${path}:`)).toBe(true);
    expect(e.location.slice(path.length + 1)).toMatch(location);
    expect(e.message).toMatch(/^\[rollout\] \[file\] corrupt data at /);
    expect(e.message).toMatch(problem);
    return true;
  };
  await expect(store.connect()).rejects.toSatisfy(check);
  await expect(store.snapshot()).rejects.toSatisfy(check);
  await expect(store.get('beta')).rejects.toSatisfy(check);
  await expect(store.revision()).rejects.toSatisfy(check);
  await expect(store.put(feature({ name: 'new' }), 0)).rejects.toSatisfy(check);
  await expect(store.remove('beta')).rejects.toSatisfy(check);
  // Never overwritten, byte for byte.
  expect(readFileSync(path).equals(before)).toBe(true);
}

describe('a corrupted file', () => {
  it('truncated JSON (a half-written file) names the line and column where it ends', async () => {
    const truncated = GOOD.slice(0, GOOD.indexOf('"version"'));
    // The text ends after the indentation on line 7; the error is at the end of the file.
    const lines = truncated.split('\n');
    const where = `${lines.length}:${lines.at(-1)!.length + 1}`;
    await expectCorrupt(truncated, new RegExp(`^${where}$`), /invalid JSON: .*end of file/);
  });

  it('a syntax error points at the offending character', async () => {
    const broken = GOOD.replace('"groups": ["vip"],', '"groups": ["vip"],,');
    await expectCorrupt(broken, /^6:25$/, /invalid JSON: expected a property name/);
  });

  it('an empty file is corrupt, not an empty store', async () => {
    await expectCorrupt('', /^1:1$/, /the file is empty/);
  });

  it('duplicate feature names are refused rather than one silently winning', async () => {
    const dup = GOOD.replace('"features": {', '"features": {\n    "beta": {},');
    await expectCorrupt(dup, /^6:5$/, /duplicate key "beta"/);
  });

  it('the wrong shape (an array, another format, features as a list) is refused', async () => {
    await expectCorrupt('[1, 2]\n', /^1:1$/, /must hold an object/);
    await expectCorrupt(
      GOOD.replace('rollout/v1', 'rollout/v9'),
      /^1:1$/,
      /"format" is "rollout\/v9"; this store reads "rollout\/v1"/,
    );
    await expectCorrupt(
      '{ "format": "rollout/v1", "features": [] }',
      /^1:1$/,
      /"features" must be an object/,
    );
    await expectCorrupt(
      '{ "format": "rollout/v1", "revision": -1 }',
      /^1:1$/,
      /"revision" must be a non-negative integer/,
    );
    await expectCorrupt(
      '{ "format": "rollout/v1", "flags": {} }',
      /^1:1$/,
      /unknown top-level field "flags"/,
    );
  });

  it('an invalid feature names the feature, the field and where its record starts', async () => {
    const bad = GOOD.replace('"groups": ["vip"],', '"groups": ["vip"],\n      "percentage": 150,');
    await expectCorrupt(bad, /^5:13$/, /feature "beta": invalid percentage 150/);
    const unknownField = GOOD.replace('"groups"', '"grups"');
    await expectCorrupt(unknownField, /^5:13$/, /feature "beta": invalid grups/);
    const wrongName = GOOD.replace('"groups"', '"name": "alpha", "groups"');
    await expectCorrupt(wrongName, /^5:13$/, /has "name": "alpha"; the key is the name/);
  });

  it('a Rollout client reports the error, keeps serving its snapshot, and recovers when the file is fixed', async () => {
    const { path, store } = storeWith(GOOD);
    const rollout = new Rollout({ store, pollInterval: 20 });
    try {
      await rollout.ready();
      expect(rollout.can({ id: 1, groups: ['vip'] }, 'beta')).toBe(true);
      const stale = nextEvent(rollout, 'stale');
      writeFileSync(path, GOOD.slice(0, 40));
      const { error } = await stale;
      expect(error).toBeInstanceOf(CorruptDataError);
      expect(rollout.explain({ id: 1, groups: ['vip'] }, 'beta')).toMatchObject({
        enabled: true,
        stale: true,
      });
      const fresh = nextEvent(rollout, 'fresh');
      writeFileSync(path, GOOD.replace('"vip"', '"staff"').replace('"version": 2', '"version": 3'));
      await fresh;
      expect(rollout.can({ id: 1, groups: ['vip'] }, 'beta')).toBe(false);
      expect(rollout.can({ id: 1, groups: ['staff'] }, 'beta')).toBe(true);
    } finally {
      await rollout.close();
    }
  });
});
