/** stop/start/kill for a server the tests were pointed at through an environment variable. */
export function externalControls(variable: string): {
  stop(): Promise<void>;
  start(): Promise<void>;
  kill(): Promise<void>;
} {
  const refuse = (what: string) => async () => {
    throw new Error(
      `[rollout] [test-servers] cannot ${what} the server given by ${variable}: ` +
        `tests that stop and start the server need a throwaway one (unset ${variable})`,
    );
  };
  return {
    stop: refuse('stop'),
    start: refuse('start'),
    // Not ours to kill: teardown code calls kill() unconditionally.
    kill: async () => {},
  };
}

/** Reads a non-empty environment variable. */
export function envValue(variable: string): string | undefined {
  const value = process.env[variable]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
