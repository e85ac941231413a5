import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds an executable on PATH (then in `extraDirs`). Throws an error naming the
 * Debian package to install when it is missing: a missing server is a setup
 * problem to fix, never a reason to skip a suite.
 */
export function findBinary(name: string, debianPackage: string, extraDirs: string[] = []): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new Error(
    `[rollout] [test-servers] ${name} not found on PATH${extraDirs.length > 0 ? ` or in ${extraDirs.join(', ')}` : ''}: ` +
      `install it (Debian: apt-get install -y ${debianPackage}) or point the tests at a running server ` +
      'with the ROLLOUT_TEST_* environment variable',
  );
}
