/**
 * Child process of the contention section: the raw-client limit. It makes the same
 * number of edits on one key or row as a contention writer, with the same calls in
 * flight, natively: one `SADD` per edit (Redis), one `UPDATE` of one row per edit
 * (PostgreSQL), one line appended and fsynced under an `O_EXCL` lock file per edit
 * (file). No validation, no history, no notification: the floor of the backend.
 */
interface Job {
  store: 'redis' | 'postgres' | 'file';
  options: Record<string, unknown>;
  writer: number;
  writes: number;
  lanes: number;
  startAt: number;
}

process.on('message', async (m: { type?: string; job?: Job }) => {
  if (m.type !== 'start' || !m.job) return;
  const job = m.job;
  try {
    const edit = await connect(job);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.startAt - Date.now())));
    const began = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: job.lanes }, async () => {
        while (next < job.writes) await edit.run(next++);
      }),
    );
    const elapsedMs = performance.now() - began;
    await edit.close();
    process.send?.({ type: 'done', elapsedMs, writes: job.writes });
  } catch (error) {
    process.send?.({ type: 'error', message: (error as Error).stack ?? String(error) });
  }
});

async function connect(
  job: Job,
): Promise<{ run(i: number): Promise<unknown>; close(): Promise<void> }> {
  if (job.store === 'redis') {
    const { Redis } = await import('ioredis');
    const client = new Redis(String(job.options.url));
    const key = `{${String(job.options.prefix)}}raw-users`;
    return {
      run: (i) => client.sadd(key, `u-p${job.writer}-${i}`),
      close: async () => {
        await client.quit();
      },
    };
  }
  if (job.store === 'file') return fileEdits(job);
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: String(job.options.connectionString),
    max: job.lanes,
  });
  const table = `raw_${String(job.options.table)}`;
  return {
    run: (i) =>
      pool.query(`UPDATE ${table} SET users = users || $1::text WHERE id = 1`, [
        `,u-p${job.writer}-${i}`,
      ]),
    close: () => pool.end(),
  };
}

/**
 * The file store's floor: each edit takes a lock file with `open(…, 'wx')` (retrying
 * every millisecond while another process holds it), appends one line to a file beside
 * the flags file, fsyncs it and removes the lock. The lanes of one process queue for
 * the lock in turn, as the store's writes do.
 */
async function fileEdits(
  job: Job,
): Promise<{ run(i: number): Promise<unknown>; close(): Promise<void> }> {
  const { appendFile, open, unlink } = await import('node:fs/promises');
  const raw = `${String(job.options.path)}.raw`;
  const lock = `${raw}.lock`;
  let queue: Promise<unknown> = Promise.resolve();
  const edit = async (i: number): Promise<void> => {
    for (;;) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    try {
      const handle = await open(raw, 'a');
      try {
        await appendFile(handle, `u-p${job.writer}-${i}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } finally {
      await unlink(lock);
    }
  };
  return {
    run: (i) => {
      const done = queue.then(() => edit(i));
      queue = done.catch(() => undefined);
      return done;
    },
    close: async () => undefined,
  };
}
