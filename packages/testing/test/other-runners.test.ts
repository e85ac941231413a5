import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/node-runner.test.cjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));

describe('no test-runner API inside', () => {
  it.runIf(existsSync(built))('the CommonJS build runs under node:test', () => {
    const out = execFileSync(process.execPath, ['--test', fixture], { encoding: 'utf8' });
    expect(out).toMatch(/# pass 1/);
    expect(out).toMatch(/# fail 0/);
  });

  it('the source imports nothing from vitest, jest or node:test', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    for (const file of readdirSync(src)) {
      expect(readFileSync(`${src}${file}`, 'utf8')).not.toMatch(
        /from '(vitest|jest|@jest\/|node:test)/,
      );
    }
  });
});
