import { Agent, request } from 'node:http';

/** What one load run measured. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses whose status was not the expected one. */
  errors: number;
  /**
   * CPU time of this process (load generator and server alike) per request, in µs.
   * Unlike req/s it barely moves when other processes load the machine.
   */
  cpuUsPerRequest: number;
}

/**
 * A closed loop: `connections` keep-alive clients each send the same POST, wait for
 * the answer, and send again, for `seconds`. Latency is per request (send → last byte).
 */
export async function load(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { connections: number; seconds: number; expectStatus: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          if (res.statusCode !== options.expectStatus) errors++;
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
    cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, latencies.length),
  };
}
