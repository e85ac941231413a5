import type { Command, OptionSpec } from './command.js';
import type { Output } from './output.js';

/** Options every command accepts, with their help. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  store: {
    type: 'string',
    short: 's',
    value: 'URL',
    help: 'the store (default: $ROLLOUT_STORE): memory:, file:./flags.json, redis://host:6379, postgres://user@host/db, memcache://host:11211, sqlite:./flags.db',
  },
  json: { type: 'boolean', help: 'machine-readable JSON on stdout' },
  'no-color': {
    type: 'boolean',
    help: 'no colours (also NO_COLOR=1); colours are only used on a terminal',
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: 'give up waiting on the store after SECONDS (default 15, 0: never)',
  },
  actor: {
    type: 'string',
    value: 'WHO',
    help: "who makes the change, recorded in the store's history by every command that writes (default: $USER@hostname)",
  },
  debug: { type: 'boolean', help: 'show stack traces and underlying causes of errors' },
  help: { type: 'boolean', short: 'h', help: "show help (rollout COMMAND --help: the command's)" },
  version: { type: 'boolean', short: 'v', help: 'print the version' },
};

/** Word-wraps a paragraph at `width` columns with an indent. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.help] as const;
  });
  const w = Math.max(...entries.map(([flag]) => flag.length));
  return entries.map(([flag, help]) => {
    const pad = ' '.repeat(2 + w + 2);
    return `  ${flag.padEnd(w)}  ${wrap(help, 100, pad).trimStart()}`;
  });
}

/** `rollout --help`. */
export function printGeneralHelp(
  out: Output,
  commands: readonly Command[],
  toStderr: boolean,
): void {
  const print = (text: string) => (toStderr ? out.note(text) : out.line(text));
  const w = Math.max(...commands.map((c) => c.name.length));
  print(`${out.style('bold', 'rollout')}: manage feature flags in any rollout store from the terminal

${out.style('bold', 'Usage:')} rollout COMMAND [ARGUMENTS] [--store URL] [--json]

${out.style('bold', 'Commands:')}
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

${out.style('bold', 'Global options:')}
${optionLines(GLOBAL_OPTIONS).join('\n')}

${out.style('bold', 'Exit codes:')} 0 done · 1 error (store, data) · 2 usage error · 3 feature not found

${out.style('bold', 'Examples:')}
  export ROLLOUT_STORE=file:./flags.json
  rollout add new_checkout --description "One-page checkout"
  rollout activate-percentage new_checkout 20
  rollout explain new_checkout 42
  rollout list --store redis://localhost:6379

Run rollout COMMAND --help for a command's arguments, options and examples.`);
}

/** `rollout COMMAND --help`. */
export function printCommandHelp(out: Output, command: Command): void {
  const lines: string[] = [];
  lines.push(
    `${out.style('bold', 'Usage:')} ${command.usage.map((u) => `rollout ${u}`).join('\n       ')}`,
  );
  lines.push('');
  lines.push(wrap(command.description ?? command.summary, 88, ''));
  if (Object.keys(command.options).length > 0) {
    lines.push('', out.style('bold', 'Options:'), ...optionLines(command.options));
  }
  lines.push(
    '',
    out.style('bold', 'Global options:'),
    '  --store URL (or ROLLOUT_STORE), --json, --no-color, --timeout SECONDS, --actor WHO, --debug (see rollout --help)',
  );
  lines.push('', out.style('bold', 'Examples:'), ...command.examples.map((e) => `  rollout ${e}`));
  out.line(lines.join('\n'));
}

/** The command whose name is closest to `text` (for "did you mean"), if any is close. */
export function closestCommand(text: string, commands: readonly Command[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of commands) {
    const d = editDistance(text, c.name);
    if (d < bestDistance) {
      bestDistance = d;
      best = c.name;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(text.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
