import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Explanation, Feature } from '@rollout/core';
import { afterAll, describe, expect, it } from 'vitest';
import { rollout, rolloutJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rollout-cli-variants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function freshEnv(): Record<string, string> {
  return { ROLLOUT_STORE: `file:${join(dir, `flags-${++counter}.json`)}` };
}

describe('variants on the command line', () => {
  it('set-variants NAME red=60 blue=40 --value ... stores them; show, list and explain show them', async () => {
    const env = freshEnv();
    const set = await rollout(
      [
        'set-variants',
        'color',
        'red=60',
        'blue=40',
        '--value',
        'red="#f00"',
        '--value',
        'blue={"hex":"#00f","dark":true}',
        '--off-value',
        '"#999"',
      ],
      { env },
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('set the variants of color: red 60 %, blue 40 %');
    const stored = await rolloutJson<Feature>(['show', 'color'], { env });
    expect(stored.variants).toEqual([
      { name: 'red', value: '#f00', weight: 60 },
      { name: 'blue', value: { hex: '#00f', dark: true }, weight: 40 },
    ]);
    expect(stored.offValue).toBe('#999');

    await rollout(['activate', 'color'], { env });
    await rollout(['activate-user', 'color', '42', '--variant', 'blue'], { env });
    const list = await rollout(['list'], { env });
    expect(list.stdout).toMatch(/VARIANTS/);
    expect(list.stdout).toContain('red 60 %, blue 40 %');
    const show = await rollout(['show', 'color'], { env });
    expect(show.stdout).toContain('red 60 % = "#f00"');
    expect(show.stdout).toContain('42 → blue');

    const pinned = await rolloutJson<Explanation & { value: unknown }>(['explain', 'color', '42'], {
      env,
    });
    expect(pinned).toMatchObject({
      enabled: true,
      variant: 'blue',
      value: { hex: '#00f', dark: true },
    });
    const text = await rollout(['explain', 'color', '42'], { env });
    expect(text.stdout).toContain(
      'variant     blue = {"hex":"#00f","dark":true} (the user is pinned to it)',
    );
    const bucketed = await rolloutJson<Explanation>(['explain', 'color', 'someone'], { env });
    expect(['red', 'blue']).toContain(bucketed.variant);
    expect(bucketed.variantBucket).toBeTypeOf('number');
    expect((await rollout(['explain', 'color', 'someone'], { env })).stdout).toContain(
      'variant bucket',
    );

    await rollout(['activate-group', 'color', 'NONE'], { env });
    const off = await rollout(['explain', 'color', '42'], { env });
    expect(off.stdout).toContain('value       "#999" (the off value)');
  });

  it('a variant without --value serves its name; --file reads a JSON list; --clear removes them', async () => {
    const env = freshEnv();
    await rollout(['set-variants', 'exp', 'control=50', 'treatment=50'], { env });
    expect(
      (await rolloutJson<Feature>(['show', 'exp'], { env })).variants?.map((v) => v.value),
    ).toEqual(['control', 'treatment']);
    const file = join(dir, `variants-${counter}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        variants: [
          { name: 'small', value: 10, weight: 33.333 },
          { name: 'medium', value: 20, weight: 33.333 },
          { name: 'large', value: 30, weight: 33.334 },
        ],
        offValue: 0,
      }),
    );
    expect((await rollout(['set-variants', 'exp', '--file', file], { env })).code).toBe(0);
    const f = await rolloutJson<Feature>(['show', 'exp'], { env });
    expect(f.variants?.map((v) => v.weight)).toEqual([33.333, 33.333, 33.334]);
    expect(f.offValue).toBe(0);
    const cleared = await rolloutJson<Feature>(['set-variants', 'exp', '--clear'], { env });
    expect(cleared.variants).toBeUndefined();
  });

  it('bad variants are usage errors (exit 2) naming the field, and write nothing', async () => {
    const env = freshEnv();
    const sum = await rollout(['set-variants', 'x', 'a=60', 'b=30'], { env });
    expect(sum.code).toBe(2);
    expect(sum.stderr).toContain('the weights sum to 90');
    const weight = await rollout(['set-variants', 'x', 'a=-5', 'b=105'], { env });
    expect(weight.code).toBe(2);
    expect(weight.stderr).toContain('variants[0].weight');
    const form = await rollout(['set-variants', 'x', 'a:60'], { env });
    expect(form.code).toBe(2);
    expect(form.stderr).toContain('give NAME=WEIGHT');
    const json = await rollout(['set-variants', 'x', 'a=100', '--value', 'a=#f00'], { env });
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('--value a is not valid JSON');
    const unknown = await rollout(['set-variants', 'x', 'a=100', '--value', 'b=1'], { env });
    expect(unknown.code).toBe(2);
    const pin = await rollout(['activate-user', 'x', '1', '--variant', 'nope'], { env });
    expect(pin.code).toBe(2);
    expect(pin.stderr).toContain('userVariants[0].variant');
    expect(await rolloutJson<Feature[]>(['list'], { env })).toEqual([]);
  });

  it('export and import carry variants, offValue, rule variants and pins', async () => {
    const a = freshEnv();
    const b = freshEnv();
    await rollout(['set-variants', 'color', 'red=50', 'blue=50', '--off-value', 'null'], {
      env: a,
    });
    await rollout(
      [
        'set',
        'color',
        '--rules',
        '[{"attribute":"plan","operator":"eq","values":["vip"],"variant":"blue"}]',
      ],
      { env: a },
    );
    await rollout(['activate-user', 'color', 'u1', '--variant', 'red'], { env: a });
    await rollout(['add', 'plain', '--percentage', '5'], { env: a });
    const exported = JSON.parse((await rollout(['export'], { env: a })).stdout) as {
      features: Feature[];
    };
    const color = exported.features.find((f) => f.name === 'color');
    expect(color).toMatchObject({
      offValue: null,
      userVariants: [{ user: 'u1', variant: 'red' }],
      rules: [{ variant: 'blue' }],
    });
    expect(Object.keys(exported.features.find((f) => f.name === 'plain') ?? {})).not.toContain(
      'variants',
    );
    const file = join(dir, `export-${counter}.json`);
    writeFileSync(file, JSON.stringify(exported));
    const dry = await rollout(['import', file, '--dry-run'], { env: b });
    expect(dry.stdout).toContain('variants [-] → [red 50 %, blue 50 %]');
    expect(dry.stdout).toContain('off value - → null');
    await rollout(['import', file], { env: b });
    const strip = (fs: Feature[]) => fs.map(({ createdAt, updatedAt, version, ...rest }) => rest);
    expect(strip(await rolloutJson<Feature[]>(['list'], { env: b }))).toEqual(
      strip(await rolloutJson<Feature[]>(['list'], { env: a })),
    );
    const again = await rolloutJson<{ unchanged: number }>(['import', file], { env: b });
    expect(again.unchanged).toBe(2);
  });
});
