import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Where the other process finds the features: the same file or the same Redis keys. */
export type SharedStore =
  | { kind: 'file'; path: string }
  | { kind: 'redis'; url: string; prefix: string };

/**
 * Calls `rollout[method](...args)` from a separate node process with its own
 * client on the same store, as another app (or the CLI) would.
 */
export async function callElsewhere(
  store: SharedStore,
  method: string,
  ...args: unknown[]
): Promise<void> {
  const open =
    store.kind === 'file'
      ? `const { FileStore } = await import('@rollout/store-file');
         const store = new FileStore({ path: ${JSON.stringify(store.path)} });`
      : `const { RedisStore } = await import('@rollout/store-redis');
         const store = new RedisStore({ url: ${JSON.stringify(store.url)}, prefix: ${JSON.stringify(store.prefix)} });`;
  const script = `
    import { Rollout } from '@rollout/core';
    ${open}
    const rollout = new Rollout({ store });
    await rollout.ready();
    await rollout[${JSON.stringify(method)}](...${JSON.stringify(args)});
    await rollout.close();`;
  await run(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir });
}
