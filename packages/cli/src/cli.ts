import { main } from './main.js';

// The `rollout` binary. Everything is in main(); this file wires it to the process.

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Only long-running commands (watch) ask for this: Ctrl-C / SIGTERM then ends them
// cleanly with exit code 0; every other command keeps node's default (stop at once).
function interrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    // Store watchers and poll timers are unref'd (they never keep an app alive), so
    // this timer is what keeps the process running until it is told to stop.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const stop = () => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

const code = await main({
  argv: process.argv.slice(2),
  env: process.env,
  streams: { stdout: process.stdout, stderr: process.stderr },
  readStdin,
  interrupted,
});

// Flush stdout and stderr (pipes are written asynchronously) before exiting; exiting
// explicitly also ends any reconnect timer a store driver may still hold.
process.stdout.write('', () => {
  process.stderr.write('', () => process.exit(code));
});
