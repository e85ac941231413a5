import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** What the numbers were measured on. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memory: string;
  node: string;
  v8: string;
  platform: string;
  loadAverage: string;
  date: string;
}

/** The machine as /proc/cpuinfo, os and process describe it. */
export function describeMachine(): Machine {
  let cpuModel = 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1]?.trim() ?? cpuModel;
  } catch {
    // Not Linux: the model stays unknown.
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    date: new Date().toISOString(),
  };
}

/** Installed versions of the packages compared, read from this package's node_modules. */
export function peerVersions(root: string): Record<string, string> {
  const names = [
    'unleash-client',
    '@growthbook/growthbook',
    '@launchdarkly/node-server-sdk',
    '@openfeature/server-sdk',
    'mitata',
    'ioredis',
    'pg',
    'memjs',
  ];
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      const pkg = JSON.parse(
        readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string };
      out[name] = pkg.version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}
