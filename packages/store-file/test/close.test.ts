import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClosedError } from '@rollout/core';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../src/index.js';
import { feature, tempDir } from './helpers.js';

const dirs = tempDir('close');

describe('a closed FileStore', () => {
  it('rejects every member with ClosedError (code CLOSED), and a second close does nothing', async () => {
    const dir = dirs();
    mkdirSync(dir, { recursive: true });
    const store = new FileStore({ path: join(dir, 'flags.json') });
    await store.put(feature({ name: 'a' }), 0);
    await store.subscribe({ change() {}, resync() {}, error() {} });
    await store.close();
    await store.close();
    const closed = { name: 'ClosedError', code: 'CLOSED' };
    const calls: [string, () => Promise<unknown>][] = [
      ['connect', () => store.connect()],
      ['snapshot', () => store.snapshot()],
      ['get', () => store.get('a')],
      ['revision', () => store.revision()],
      ['put', () => store.put(feature({ name: 'b' }), 0)],
      ['remove', () => store.remove('a', 1)],
      ['subscribe', () => store.subscribe({ change() {}, resync() {}, error() {} })],
    ];
    for (const [member, call] of calls) {
      const error = await call().then(
        () => new Error(`${member} resolved after close`),
        (e: unknown) => e,
      );
      expect(error, member).toBeInstanceOf(ClosedError);
      expect(error, member).toMatchObject(closed);
    }
  });
});
