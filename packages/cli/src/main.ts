import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import {
  FeatureNotFoundError,
  openStore,
  parseStoreUrl,
  Rollout,
  RolloutError,
  redactStoreUrl,
  validateActor,
} from '@rollout/core';
import packageJson from '../package.json' with { type: 'json' };
import { CliError, usageError } from './cli-error.js';
import type { Command, CommandContext, GlobalOptions, OptionSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { closestCommand, GLOBAL_OPTIONS, printCommandHelp, printGeneralHelp } from './help.js';
import { Output, type OutputStreams, shouldColor } from './output.js';
import { parseSeconds } from './parse-values.js';
import { SecretScrubber } from './secrets.js';

/** What {@link main} runs with; `cli.ts` passes the real process. */
export interface MainOptions {
  /** Arguments after `rollout`. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  streams: OutputStreams;
  /** Reads stdin to the end (for `import -`). */
  readStdin?: () => Promise<string>;
  /** Called by long-running commands (watch): resolves when the process is asked to stop. */
  interrupted?: () => Promise<void>;
}

/** `$USER@hostname`, the actor of writes without `--actor`; undefined when it is not a valid actor. */
function defaultActor(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const user = env.USER || env.LOGNAME || env.USERNAME;
  const actor = user ? `${user}@${hostname()}` : hostname();
  try {
    return validateActor(actor);
  } catch {
    return undefined;
  }
}

/** Default seconds a command may wait on the store. */
const DEFAULT_TIMEOUT_S = 15;

/** Global options that take a value, so the command name can be found after them. */
const GLOBAL_VALUE_FLAGS = new Set(['--store', '-s', '--timeout', '--actor']);

function findCommand(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return -1;
    if (!arg.startsWith('-')) return i;
    if (GLOBAL_VALUE_FLAGS.has(arg)) i++;
  }
  return -1;
}

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parseConfig(specs: Readonly<Record<string, OptionSpec>>): ParseOptions {
  const out: ParseOptions = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

// node's parseArgs reads "-5" as an option; negative numbers (a user id, a
// mistyped percentage) are values here, so they are masked while parsing.
const NEGATIVE = /^-\d/;
const MASK = '\u0001';

function unmask<T>(value: T): T {
  return (typeof value === 'string' && value.startsWith(MASK) ? value.slice(1) : value) as T;
}

function parseCommandLine(command: Command, args: readonly string[]) {
  const parsed = parseMasked(
    command,
    args.map((a) => (NEGATIVE.test(a) ? `${MASK}${a}` : a)),
  );
  return {
    positionals: parsed.positionals.map(unmask),
    values: Object.fromEntries(
      Object.entries(parsed.values).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map(unmask) : unmask(v),
      ]),
    ),
  };
}

function parseMasked(command: Command, args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: parseConfig({ ...GLOBAL_OPTIONS, ...command.options }),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // node's messages are long; keep the first sentence.
    const message =
      error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error);
    throw usageError(message.replace(/\.$/, ''), `see rollout ${command.name} --help`);
  }
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof FeatureNotFoundError) return EXIT.NOT_FOUND;
  if (error instanceof RolloutError) {
    return error.code === 'INVALID_INPUT' || error.code === 'INVALID_STORE_URL'
      ? EXIT.USAGE
      : EXIT.ERROR;
  }
  return EXIT.ERROR;
}

function hintOf(error: unknown): string | undefined {
  if (error instanceof CliError) return error.hint;
  if (error instanceof RolloutError && error.code === 'INVALID_STORE_URL') {
    const pkg = (error as { packageName?: string }).packageName;
    if (pkg === undefined) {
      return 'store URLs look like file:./flags.json, redis://localhost:6379, postgres://user@host/db, memcache://host:11211, sqlite:./flags.db, memory:';
    }
    return /needs/.test(error.message)
      ? `install it next to the CLI: npm install ${pkg}`
      : undefined;
  }
  return undefined;
}

function printError(out: Output, error: unknown, debug: boolean): void {
  const known = error instanceof CliError || error instanceof RolloutError;
  const text = error instanceof Error ? error.message : String(error);
  const message = text.replace(/^\[rollout\] /, '');
  out.note(`${out.style('red', 'error:')} ${known ? message : `unexpected error: ${message}`}`);
  const hint = hintOf(error);
  if (hint) out.note(out.style('dim', `hint: ${hint}`));
  if (debug) {
    let current: unknown = error;
    let depth = 0;
    while (current !== undefined && depth < 8) {
      const label = depth === 0 ? 'stack' : 'caused by';
      out.note(
        out.style(
          'dim',
          `${label}: ${current instanceof Error ? (current.stack ?? current.message) : String(current)}`,
        ),
      );
      current = current instanceof Error ? current.cause : undefined;
      depth++;
    }
  } else if (!known) {
    out.note(out.style('dim', 'run again with --debug to see the stack trace'));
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms <= 0) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the `rollout` command line and resolves to its exit code (see EXIT).
 * Never throws and never prints a stack trace unless `--debug` is given.
 */
export async function main(options: MainOptions): Promise<ExitCode> {
  const { argv, env, streams } = options;
  const scrubber = new SecretScrubber();
  if (env.ROLLOUT_STORE) scrubber.protectUrl(env.ROLLOUT_STORE);
  const earlyOut = new Output(streams, {
    json: argv.includes('--json'),
    color: shouldColor(env, streams.stderr.isTTY, argv.includes('--no-color')),
    scrub: scrubber.scrub,
  });
  const debug = argv.includes('--debug');

  const at = findCommand(argv);
  const name = at >= 0 ? (argv[at] ?? '') : undefined;
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 1)] : [...argv];

  if (name === undefined || name === 'help') {
    const target = name === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
    const command = target === undefined ? undefined : COMMANDS.find((c) => c.name === target);
    if (command) {
      printCommandHelp(earlyOut, command);
      return EXIT.OK;
    }
    if (argv.includes('--version') || argv.includes('-v')) {
      earlyOut.line(packageJson.version);
      return EXIT.OK;
    }
    const asked = name === 'help' || argv.includes('--help') || argv.includes('-h');
    if (target !== undefined) {
      printError(earlyOut, usageError(`unknown command ${JSON.stringify(target)}`), debug);
      return EXIT.USAGE;
    }
    printGeneralHelp(earlyOut, COMMANDS, !asked);
    return asked ? EXIT.OK : EXIT.USAGE;
  }

  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const close = closestCommand(name, COMMANDS);
    printError(
      earlyOut,
      usageError(
        `unknown command ${JSON.stringify(name)}`,
        close
          ? `did you mean rollout ${close}? (rollout --help lists the commands)`
          : 'rollout --help lists the commands',
      ),
      debug,
    );
    return EXIT.USAGE;
  }

  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(command, rest);
  } catch (error) {
    printError(earlyOut, error, debug);
    return exitCodeOf(error);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    printCommandHelp(earlyOut, command);
    return EXIT.OK;
  }
  const storeUrl = typeof values.store === 'string' ? values.store : env.ROLLOUT_STORE || undefined;
  if (storeUrl) scrubber.protectUrl(storeUrl);
  const out = new Output(streams, {
    json: values.json === true,
    color: shouldColor(env, streams.stdout.isTTY, values['no-color'] === true),
    scrub: scrubber.scrub,
  });

  let client: Rollout | undefined;
  let clientPromise: Promise<Rollout> | undefined;
  let lastClientError: RolloutError | undefined;
  try {
    const globals: GlobalOptions = {
      store: storeUrl,
      json: values.json === true,
      debug: values.debug === true,
      timeoutMs:
        (typeof values.timeout === 'string'
          ? parseSeconds(values.timeout, '--timeout')
          : DEFAULT_TIMEOUT_S) * 1000,
      actor: typeof values.actor === 'string' ? validateActor(values.actor) : defaultActor(env),
    };
    const args = parsed.positionals;
    if (args.length < command.args.min || args.length > command.args.max) {
      const wanted =
        args.length < command.args.min ? 'is missing arguments' : 'was given too many arguments';
      throw usageError(
        `${command.name} ${wanted}`,
        `usage: ${command.usage.map((u) => `rollout ${u}`).join(' ')} (rollout ${command.name} --help)`,
      );
    }
    const shown = storeUrl ? redactStoreUrl(storeUrl) : 'the store';
    const timedOut = () =>
      new CliError(
        `timed out after ${globals.timeoutMs / 1000} s waiting for ${shown}${lastClientError ? ` (${lastClientError.message.replace(/^\[rollout\] /, '')})` : ''}`,
        EXIT.ERROR,
        { hint: 'is the store reachable? --timeout SECONDS waits longer' },
      );
    const openClient = async (): Promise<Rollout> => {
      if (!storeUrl) {
        throw usageError(
          'no store given: pass --store URL or set ROLLOUT_STORE',
          'e.g. --store file:./flags.json or ROLLOUT_STORE=redis://localhost:6379',
        );
      }
      parseStoreUrl(storeUrl);
      const store = await openStore(storeUrl, {
        // Resolve store packages from the CLI's own dependencies first, then from the project.
        importer: async (pkg) => {
          try {
            return await import(pkg);
          } catch (error) {
            const { createRequire } = await import('node:module');
            const { pathToFileURL } = await import('node:url');
            let resolved: string;
            try {
              resolved = createRequire(`${process.cwd()}/package.json`).resolve(pkg);
            } catch {
              throw error;
            }
            return import(pathToFileURL(resolved).href);
          }
        },
      });
      client = new Rollout({ store, actor: globals.actor });
      client.on('error', (error) => {
        lastClientError = error;
      });
      await client.ready();
      return client;
    };
    const ctx: CommandContext = {
      out,
      globals,
      env,
      client: () => {
        clientPromise ??= withTimeout(openClient(), globals.timeoutMs, timedOut);
        return clientPromise;
      },
      protectUrl: (url) => scrubber.protectUrl(url),
      interrupted: () =>
        options.interrupted ? options.interrupted() : new Promise<void>(() => undefined),
      readStdin: options.readStdin ?? (async () => ''),
    };
    let code: ExitCode | undefined;
    if (command.unbounded) {
      // Watch runs until interrupted, imports take as long as they take: only
      // reaching the store (ctx.client) is bounded.
      code = await command.run(ctx, args, values);
    } else {
      code = await withTimeout(command.run(ctx, args, values), globals.timeoutMs, timedOut);
    }
    return code ?? EXIT.OK;
  } catch (error) {
    printError(out, error, values.debug === true);
    return exitCodeOf(error);
  } finally {
    if (client) {
      const closing = client.close().catch(() => undefined);
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
  }
}
