import { rmSync } from 'node:fs';

/**
 * Something to tear down synchronously when the test process exits: kills a
 * server process (signal only: exit handlers cannot wait) and removes its dir.
 */
export type ExitCleanup = () => void;

const cleanups = new Set<ExitCleanup>();
let installed = false;

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort: the process is going away
    }
  }
  cleanups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  // 'exit' covers normal ends, failed tests and process.exit().
  process.on('exit', runAll);
  // Signals: only when the host has no handler of its own (vitest, a CLI), so we
  // never change how the host reacts; we clean up, then die by the same signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue;
    const handler = (): void => {
      runAll();
      process.removeListener(signal, handler);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

/** Registers a cleanup to run at process exit; returns a function that unregisters it. */
export function onExit(cleanup: ExitCleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** Removes a temp dir, ignoring errors (used by exit cleanups). */
export function removeDirSync(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}
