/**
 * @rollout/example: an HTTP app whose endpoints are gated by rollout flags.
 *
 *   ROLLOUT_STORE  store URL (default: file store in apps/example/data/flags.json)
 *   PORT           port (default 3000; 0 picks a free one, and the real one is printed)
 *   HOST           address (default 127.0.0.1)
 */
import { startExample } from './server.js';

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, not ${JSON.stringify(value)}`);
  }
  return port;
}

try {
  const example = await startExample({
    store: process.env.ROLLOUT_STORE || undefined,
    port: portFromEnv(process.env.PORT),
    host: process.env.HOST || undefined,
  });
  console.log(`rollout example listening on ${example.url} (store: ${example.storeLabel})`);
  console.log(
    `  try ${example.url}/?user=123  ${example.url}/beta?groups=vip  ${example.url}/checkout?user=42`,
  );
  const stop = () => {
    example.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(
    `rollout example failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
