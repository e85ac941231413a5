import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Inside the package, so the fixture imports `@rollout/middleware/*` by name (the
// package's own exports, built) and `@rollout/core` as an app would.
const dir = mkdtempSync(fileURLToPath(new URL('./.typed-', import.meta.url)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// What `rollout typegen` writes (its own test in @rollout/cli checks that).
const FLAGS = `export {};
declare module '@rollout/core' {
  interface RolloutFlags {
    "beta": { variant: never; value: never };
    "color": { variant: "red"; value: string };
  }
}
`;

const USE = `import type { Request } from 'express';
import type { FastifyRequest } from 'fastify';
import type { Context } from 'hono';
import { requireFlag } from '@rollout/middleware/express';
import '@rollout/middleware/fastify';
import '@rollout/middleware/hono';
declare const req: Request;
declare const c: Context;
declare const request: FastifyRequest;
const ok: boolean = req.flags.can('beta') && c.get('flags').value('color', '') === request.flags.variant('color').variant;
export { ok };
req.flags.can('betaa');
c.get('flags').value('color', 1);
if (request.flags.variant('color').variant === 'blue') requireFlag('bta');
`;

describe('typed flag names reach req.flags', () => {
  it('with a RolloutFlags declaration, every framework’s flags and requireFlag check names and values', () => {
    copyFileSync(
      fileURLToPath(new URL('./fixtures/typecheck-tsconfig.json', import.meta.url)),
      join(dir, 'tsconfig.json'),
    );
    writeFileSync(join(dir, 'flags.d.ts'), FLAGS);
    writeFileSync(join(dir, 'use.ts'), USE);
    let out = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
    } catch (error) {
      out = String((error as { stdout?: string }).stdout);
    }
    const errors = out
      .trim()
      .split('\n')
      .map((line) => line.replace(/^.*use\.ts/, 'use.ts'));
    expect(errors).toEqual([
      expect.stringMatching(/^use\.ts\(12,\d+\): error TS2345: Argument of type '"betaa"'/),
      expect.stringMatching(/^use\.ts\(13,\d+\): error TS2345: Argument of type 'number'/),
      expect.stringMatching(/^use\.ts\(14,\d+\): error TS2367: .*'"blue"'/),
      expect.stringMatching(/^use\.ts\(14,\d+\): error TS2345: Argument of type '"bta"'/),
    ]);
  });
});
