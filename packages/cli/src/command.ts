import type { Rollout } from '@rollout/core';
import type { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';

/** Options every command accepts. */
export interface GlobalOptions {
  /** The store URL (`--store` or `ROLLOUT_STORE`), if given. */
  store: string | undefined;
  /** `--json`: machine-readable output. */
  json: boolean;
  /** `--debug`: stack traces and causes on errors. */
  debug: boolean;
  /** How long a command may wait on the store, in ms (0: forever). */
  timeoutMs: number;
  /** Who writes (`--actor`, default `$USER@hostname`), recorded in the store's history. */
  actor: string | undefined;
}

/** A command-line option of one command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help (`--data JSON`). */
  value?: string;
  /** May be given several times (string options only); the value is then a string[]. */
  multiple?: boolean;
  help: string;
}

/** Values parsed for a command's options. */
export type OptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** What a command gets to work with. */
export interface CommandContext {
  out: Output;
  globals: GlobalOptions;
  env: Readonly<Record<string, string | undefined>>;
  /** Opens (once) a Rollout client on `--store` and waits for its first snapshot. */
  client(): Promise<Rollout>;
  /** Hides the password of `url` in everything printed from now on. */
  protectUrl(url: string): void;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); only long-running commands call it. */
  interrupted(): Promise<void>;
  /** Reads stdin to the end (for `import -`). */
  readStdin(): Promise<string>;
}

/** One `rollout` command: its help text, arguments, options and action. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage lines, without the leading `rollout `. */
  usage: string[];
  /** A paragraph shown by `rollout <command> --help`. */
  description?: string;
  /** How many positional arguments it takes. */
  args: { min: number; max: number };
  options: Readonly<Record<string, OptionSpec>>;
  /** Example command lines, without the leading `rollout `. */
  examples: string[];
  /**
   * Long-running (watch) or bulk (export, import): `--timeout` bounds reaching the
   * store, not the whole command, which may legitimately take longer.
   */
  unbounded?: boolean;
  run(ctx: CommandContext, args: string[], options: OptionValues): Promise<ExitCode | undefined>;
}
