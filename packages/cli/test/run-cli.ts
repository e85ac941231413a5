import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built binary the tests run, as users do: `node dist/cli.js`. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: build the CLI first (cd packages/cli && pnpm run build)`);
}

/** What one run of the binary produced. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link rollout}. */
export interface RunOptions {
  /** Extra environment (ROLLOUT_STORE, NO_COLOR, ...). */
  env?: Record<string, string | undefined>;
  /** Text piped to stdin. */
  input?: string;
}

/** Environment without the caller's colour and store settings, so tests decide them. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['ROLLOUT_STORE', 'NO_COLOR', 'FORCE_COLOR']) delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts the binary without waiting (for `watch`). */
export function spawnRollout(args: readonly string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A long-running `rollout` process (`watch`) whose output a test waits on. */
export interface WatchedRollout {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Everything printed on stderr so far (the banner, warnings). */
  stderr(): string;
  /** Waits (up to `attempts` × 50 ms) until `check` holds; fails naming `what` and the output. */
  until(check: () => boolean, what: string, attempts?: number): Promise<void>;
  /** Resolves with the exit code once the process has closed. */
  exited: Promise<number | null>;
}

/** Starts `rollout ARGS...` in the background and collects its output. */
export function watchRollout(args: readonly string[], options: RunOptions = {}): WatchedRollout {
  const child = spawnRollout(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const until = async (check: () => boolean, what: string, attempts = 300) => {
    for (let i = 0; i < attempts && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!check())
      throw new Error(`rollout never printed ${what}; stdout: ${stdout} stderr: ${stderr}`);
  };
  return { child, stdout: () => stdout, stderr: () => stderr, until, exited };
}

/** Runs `rollout ARGS...` to completion (stdout and stderr are pipes: not a terminal). */
export async function rollout(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const run = watchRollout(args, options);
  const failed = new Promise<never>((_, reject) => run.child.on('error', reject));
  run.child.stdin?.end(options.input ?? '');
  // 'close' fires after both pipes ended, so the collected output is complete.
  const code = await Promise.race([run.exited, failed]);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Runs a command that must succeed and returns its stdout parsed as JSON. */
export async function rolloutJson<T = unknown>(
  args: readonly string[],
  options: RunOptions = {},
): Promise<T> {
  const run = await rollout([...args, '--json'], options);
  if (run.code !== 0) {
    throw new Error(`rollout ${args.join(' ')} exited with ${run.code}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as T;
}
