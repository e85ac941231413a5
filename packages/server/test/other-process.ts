import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `op` on feature `name` from a separate node process with its own Redis client, as another app would. */
export async function writeElsewhere(
  url: string,
  prefix: string,
  op: 'activate' | 'deactivate',
  name: string,
): Promise<void> {
  const script = `
    import { Rollout } from '@rollout/core';
    import { RedisStore } from '@rollout/store-redis';
    const rollout = new Rollout({ store: new RedisStore({ url: ${JSON.stringify(url)}, prefix: ${JSON.stringify(prefix)} }) });
    await rollout.ready();
    await rollout.${op}(${JSON.stringify(name)});
    await rollout.close();`;
  await run(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir });
}
