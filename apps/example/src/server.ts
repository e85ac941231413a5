import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openStore, Rollout, redactStoreUrl } from '@rollout/core';
import { createApp } from './app.js';
import { seedIfEmpty } from './seed.js';

/** Where the default file store keeps its flags: `apps/example/data/flags.json` (gitignored). */
export const DEFAULT_FLAGS_FILE = fileURLToPath(new URL('../data/flags.json', import.meta.url));

/** The store URL used when `ROLLOUT_STORE` is not set: the file above, its directory created on demand. */
export function defaultStoreUrl(): string {
  return `${pathToFileURL(DEFAULT_FLAGS_FILE).href}?createDirectory=true`;
}

/** Options of {@link startExample}. */
export interface ExampleOptions {
  /** Store URL (`file:…`, `memory:`, `redis://…`, …). Default {@link defaultStoreUrl}. */
  store?: string;
  /** Port to listen on; 0 picks a free one. Default 3000. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Add the seed flags when the store is empty. Default true. */
  seed?: boolean;
  /** Where to log flag changes and store errors. Default console; pass `() => {}` to silence. */
  log?: (message: string) => void;
}

/** A running example app. */
export interface RunningExample {
  /** `http://host:port` with the port actually bound. */
  url: string;
  /** The store URL, passwords hidden. */
  storeLabel: string;
  server: Server;
  rollout: Rollout;
  /** Stops the server and the client (and closes the store). */
  close(): Promise<void>;
}

/**
 * Opens the store from its URL, waits for the first snapshot, seeds an empty
 * store, and starts the HTTP server. Rejects (and cleans up) when the store cannot
 * be opened or read, e.g. a corrupt flags file, with the store's error.
 */
export async function startExample(options: ExampleOptions = {}): Promise<RunningExample> {
  const storeUrl = options.store ?? defaultStoreUrl();
  const storeLabel = redactStoreUrl(storeUrl);
  const log = options.log ?? ((message: string) => console.log(message));
  // The importer resolves store packages from this app's own dependencies.
  const store = await openStore(storeUrl, { importer: (name) => import(name) });
  const rollout = new Rollout({ store });
  rollout.on('error', (error) => log(`[example] ${error.message}`));
  try {
    await rollout.ready();
    if (options.seed ?? true) {
      const created = await seedIfEmpty(rollout);
      if (created > 0) log(`[example] the store was empty: seeded ${created} flags`);
    }
  } catch (error) {
    await rollout.close();
    throw error;
  }
  rollout.on('change', (e) =>
    log(
      `[example] flag ${JSON.stringify(e.name)} ${e.feature ? 'changed' : 'removed'} (${e.source})`,
    ),
  );

  const server = createApp({ rollout, storeLabel });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await rollout.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    storeLabel,
    server,
    rollout,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rollout.close();
    },
  };
}
