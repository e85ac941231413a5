import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout } from './run-cli.js';

// Inside the package, so `@rollout/core` resolves from the fixtures as from an app.
const dir = mkdtempSync(fileURLToPath(new URL('./.typegen-', import.meta.url)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = `file:${join(dir, 'flags.json')}`;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const TSCONFIG = fileURLToPath(new URL('./fixtures/typecheck-tsconfig.json', import.meta.url));

const USE = `import type { Rollout } from '@rollout/core';
declare const rollout: Rollout;
const user = { id: 1 };
`;

/** Type-checks the `.ts` files of `project`; its diagnostics, one per line ('' when clean). */
function typecheck(project: string, files: Record<string, string>): string {
  mkdirSync(project, { recursive: true });
  copyFileSync(TSCONFIG, join(project, 'tsconfig.json'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
  try {
    execFileSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

describe('rollout typegen', () => {
  let declaration: string;

  beforeAll(async () => {
    const env = { ROLLOUT_STORE: store };
    expect((await rollout(['add', 'beta', '--description', 'the new beta'], { env })).code).toBe(0);
    const variants = ['set-variants', 'color', 'red=60', 'blue=40', '--value', 'red="#f00"'];
    variants.push('--value', 'blue={"hex":"#00f"}');
    expect((await rollout(variants, { env })).code).toBe(0);
    const out = join(dir, 'typed', 'flags.d.ts');
    mkdirSync(join(dir, 'typed'));
    const run = await rollout(['typegen', '-o', out], { env });
    expect(run.stderr).toContain('declared 2 flag(s)');
    expect(run.code).toBe(0);
    declaration = readFileSync(out, 'utf8');
  });

  it('declares every flag with its variant names and value types', () => {
    expect(declaration).toContain("declare module '@rollout/core'");
    expect(declaration).toContain('/** the new beta */');
    expect(declaration).toContain('"beta": { variant: never; value: never };');
    expect(declaration).toContain(
      '"color": { variant: "red" | "blue"; value: string | { "hex": string } };',
    );
  });

  it('--from an export file gives the same declaration', async () => {
    const file = join(dir, 'export.json');
    expect((await rollout(['export', '-o', file], { env: { ROLLOUT_STORE: store } })).code).toBe(0);
    const run = await rollout(['typegen', '--from', file]);
    expect(run.code).toBe(0);
    const body = (text: string) => text.split('\n').slice(1).join('\n').trim();
    expect(body(run.stdout)).toBe(body(declaration));
  });

  it('with the declaration, tsc accepts the declared names and types', () => {
    const errors = typecheck(join(dir, 'typed'), {
      'good.ts': `${USE}
const on: boolean = rollout.can(user, 'beta');
const color: string = rollout.value(user, 'color', '#000');
const hex: { hex: string } = rollout.value(user, 'color', { hex: '#000' });
const variant: 'red' | 'blue' | undefined = rollout.variant(user, 'color').variant;
rollout.allFlags(user, { names: ['beta', 'color'] });
rollout.explain(user, 'color');
const explicit: string = rollout.value<string>(user, 'color', '#000');
export { on, color, hex, variant, explicit };
`,
    });
    expect(errors).toBe('');
  });

  it('a misspelt flag name, a wrong value type and an unknown variant are compile errors', () => {
    const errors = typecheck(join(dir, 'typed'), {
      'bad.ts': `${USE}
rollout.can(user, 'betaa');
rollout.value(user, 'color', 42);
if (rollout.variant(user, 'color').variant === 'green') rollout.explain(user, 'colour');
rollout.allFlags(user, { names: ['beat'] });
`,
    });
    rmSync(join(dir, 'typed', 'bad.ts'));
    expect(errors).toMatch(
      /bad\.ts\(5,\d+\): error TS2345: Argument of type '"betaa"' is not assignable .* 'keyof RolloutFlags'/,
    );
    expect(errors).toMatch(/bad\.ts\(6,\d+\): error TS2345: Argument of type 'number'/);
    expect(errors).toMatch(/bad\.ts\(7,\d+\): error TS2367: .*'"green"'/);
    expect(errors).toMatch(/bad\.ts\(7,\d+\): error TS2345: Argument of type '"colour"'/);
    expect(errors).toMatch(/bad\.ts\(8,\d+\): error TS2322: Type '"beat"'/);
  });

  it('without a declaration, any name and any JSON fallback keep compiling', () => {
    const errors = typecheck(join(dir, 'untyped'), {
      'plain.ts': `${USE}
const on: boolean = rollout.can(user, 'anything');
const s: string = rollout.value(user, 'x', 'fallback');
const n: number = rollout.value(user, 'x', 1);
const b: boolean = rollout.value(user, 'x', true);
const list: number[] = rollout.value(user, 'x', [1, 2]);
const v: string | undefined = rollout.variant(user, 'x').variant;
rollout.allFlags(user, { names: ['whatever'] });
const explicit: { max: number } = rollout.value<{ max: number }>(user, 'limits', { max: 1 });
const wide: string = rollout.value<string>(user, 'x', 'y');
export { on, s, n, b, list, v, explicit, wide };
`,
    });
    expect(errors).toBe('');
  });
});
