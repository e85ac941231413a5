/**
 * Child process of the contention section: the raw-client limit. It makes the same
 * number of edits on one key or row as a contention writer, with the same calls in
 * flight, natively: one `SADD` per edit (Redis), one `UPDATE` of one row per edit
 * (PostgreSQL). No validation, no history, no notification: the floor of the backend.
 */
interface Job {
  store: 'redis' | 'postgres';
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
