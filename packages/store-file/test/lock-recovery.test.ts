import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UNWRITTEN_LOCK_GRACE_MS } from '../src/file-lock.js';
import { FileStore } from '../src/index.js';
import { feature, runKillWriter, tempDir } from './helpers.js';

const writer = fileURLToPath(new URL('./fixtures/lock-kill-writer.mjs', import.meta.url));
const dirs = tempDir('lock-recovery');

// The documented bound (README § What is atomic): after a writer dies, the next write
// waits at most UNWRITTEN_LOCK_GRACE_MS for the lock. Asserted generously (a loaded CI
// machine): this checks that recovery does not wait for staleLockTimeout or lockTimeout.
const BOUND_MS = UNWRITTEN_LOCK_GRACE_MS + 2_000;

/** The pid of a process that has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(result.stdout.toString());
}

function ownerOf(pid: number): string {
  return `${JSON.stringify({ pid, host: hostname(), token: 'dead', time: Date.now() })}\n`;
}

/** Runs the self-killing writer; resolves with the names it acknowledged and how it ended. */
function runWriter(
  path: string,
  prefix: string,
  killAt: number,
  writes: number,
  noLink = false,
): Promise<{ acked: string[]; signal: NodeJS.Signals | null }> {
  const args = [path, prefix, String(killAt), String(writes)];
  if (noLink) args.push('no-link');
  return runKillWriter(writer, args);
}

/** The crash states a killed writer leaves, seeded before the writer runs into them. */
type Scenario = 'clean' | 'dead-owner' | 'dead-breaker' | 'no-link';
const scenarios: Scenario[] = ['clean', 'dead-owner', 'dead-breaker', 'no-link'];

describe('lock recovery after writers are killed at every point of the lock protocol', () => {
  // 4 crash states × 20 kill points: the n-th file system call of the writer (a write
  // makes about 17: lock temp file, link, unlink, break lock, re-read, ownership check,
  // temp write, fsync, rename, release), so every step of the first write and the
  // start of the second (after one acknowledged write) is a kill point.
  const rounds = scenarios.flatMap((scenario) =>
    Array.from({ length: 20 }, (_, i) => ({ scenario, killAt: i + 1 })),
  );

  it(`the next write waits less than ${BOUND_MS} ms and nothing acknowledged is lost (${rounds.length} rounds)`, async () => {
    const dir = dirs();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'flags.json');
    const lockPath = `${path}.lock`;
    const acknowledged: string[] = [];
    let killed = 0;
    const waits: number[] = [];
    for (const [round, { scenario, killAt }] of rounds.entries()) {
      if (scenario === 'dead-owner' || scenario === 'dead-breaker')
        writeFileSync(lockPath, ownerOf(deadPid()));
      if (scenario === 'dead-breaker') writeFileSync(`${lockPath}.break`, ownerOf(deadPid()));
      const run = await runWriter(path, `r${round}`, killAt, 3, scenario === 'no-link');
      if (run.signal === 'SIGKILL') killed++;
      acknowledged.push(...run.acked);

      // A fresh process's store; its timeouts are far above the bound, so only the
      // recovery rules can let it through in time.
      const store = new FileStore({
        path,
        watch: false,
        lockTimeout: 30_000,
        staleLockTimeout: 600_000,
      });
      const started = performance.now();
      await store.put(feature({ name: `after-${round}` }), 0);
      const waited = performance.now() - started;
      waits.push(waited);
      expect(waited, `round ${round} (${scenario}, killed at call ${killAt})`).toBeLessThan(
        BOUND_MS,
      );
      acknowledged.push(`after-${round}`);
      const { features } = await store.snapshot();
      const names = new Set(features.map((f) => f.name));
      const missing = acknowledged.filter((name) => !names.has(name));
      expect(missing, `round ${round} (${scenario}, killed at call ${killAt})`).toEqual([]);
      await store.close();
      expect(existsSync(lockPath)).toBe(false);
    }
    // Every round killed its writer (3 writes make far more calls than the last kill point).
    expect(killed).toBe(rounds.length);
    console.log(
      `lock recovery: ${rounds.length} rounds, ${killed} writers killed, next write waited max ${Math.round(Math.max(...waits))} ms, ${acknowledged.length} acknowledged writes all present`,
    );
  });

  it('writers SIGKILLed at random moments while contending never stall the next write (20 rounds)', async () => {
    const dir = dirs();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'flags.json');
    const acknowledged: string[] = [];
    let maxWait = 0;
    for (let round = 0; round < 20; round++) {
      // Three writers at once, each killed at a random one of its first 40 file system calls.
      const runs = await Promise.all(
        [0, 1, 2].map((w) =>
          runWriter(path, `x${round}-${w}`, 1 + Math.floor(Math.random() * 40), 5),
        ),
      );
      for (const run of runs) acknowledged.push(...run.acked);
      const store = new FileStore({
        path,
        watch: false,
        lockTimeout: 30_000,
        staleLockTimeout: 600_000,
      });
      const started = performance.now();
      await store.put(feature({ name: `after-x${round}` }), 0);
      const waited = performance.now() - started;
      maxWait = Math.max(maxWait, waited);
      expect(waited, `round ${round}`).toBeLessThan(BOUND_MS);
      acknowledged.push(`after-x${round}`);
      const names = new Set((await store.snapshot()).features.map((f) => f.name));
      expect(acknowledged.filter((name) => !names.has(name))).toEqual([]);
      await store.close();
    }
    console.log(`random kills: 20 rounds, next write waited max ${Math.round(maxWait)} ms`);
  });
});
