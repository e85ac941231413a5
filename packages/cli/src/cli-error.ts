import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error the CLI reports to the user as one friendly line (plus an optional
 * hint), with the exit code it maps to. Never printed with a stack trace unless
 * `--debug` is given.
 */
export class CliError extends Error {
  /** The process exit code this error ends the command with. */
  readonly exitCode: ExitCode;
  /** A second line that says what to do about it (e.g. "see rollout add --help"). */
  readonly hint: string | undefined;

  constructor(
    message: string,
    exitCode: ExitCode,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** A command-line mistake (exit code 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.USAGE, hint === undefined ? {} : { hint });
}

/** A feature that does not exist (exit code 3). */
export function notFoundError(name: string): CliError {
  return new CliError(`feature ${JSON.stringify(name)} does not exist`, EXIT.NOT_FOUND, {
    hint: 'rollout list shows the features the store has',
  });
}
