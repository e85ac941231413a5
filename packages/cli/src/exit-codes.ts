/**
 * The `rollout` binary's exit codes. Scripts may rely on them; they never change
 * meaning between releases.
 */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** Something failed: the store is unreachable, data is invalid, a write was refused. */
  ERROR: 1,
  /** The command line is wrong: unknown command or option, bad percentage, bad store URL, invalid name. */
  USAGE: 2,
  /** The feature named does not exist (show, remove, set, explain). */
  NOT_FOUND: 3,
} as const;

/** One of the values of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
