/** Streams the CLI writes to; injectable for tests and for `main()` callers. */
export interface OutputStreams {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** How output is rendered. */
export interface OutputOptions {
  /** Machine-readable JSON on stdout instead of tables and sentences. */
  json: boolean;
  /** ANSI colours on stdout/stderr. */
  color: boolean;
  /** Hides secrets (store passwords) in anything printed. */
  scrub: (text: string) => string;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

/** A style name usable with {@link Output.style}. */
export type Style = keyof typeof CODES;

/**
 * Decides whether to colour: never with `NO_COLOR` set (https://no-color.org) or
 * `--no-color`, always with `FORCE_COLOR` set (not "0"), else only on a terminal.
 */
export function shouldColor(
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean | undefined,
  noColorFlag: boolean,
): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0')
    return true;
  return isTTY === true;
}

/** A table column. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  style?: (row: Row) => Style | undefined;
  align?: 'left' | 'right';
}

/** Everything the CLI prints goes through here: colours, tables, JSON, secret scrubbing. */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  private readonly streams: OutputStreams;
  private readonly scrub: (text: string) => string;

  constructor(streams: OutputStreams, options: OutputOptions) {
    this.streams = streams;
    this.json = options.json;
    this.color = options.color;
    this.scrub = options.scrub;
  }

  /** Wraps `text` in an ANSI style when colours are on. */
  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** A line on stdout. */
  line(text = ''): void {
    this.streams.stdout.write(`${this.scrub(text)}\n`);
  }

  /** A line on stderr (progress, warnings, errors): never mixed into `--json` output. */
  note(text: string): void {
    this.streams.stderr.write(`${this.scrub(text)}\n`);
  }

  /** A warning on stderr. */
  warn(text: string): void {
    this.note(`${this.style('yellow', 'warning:')} ${text}`);
  }

  /** Pretty-printed JSON on stdout. */
  printJson(value: unknown): void {
    this.streams.stdout.write(`${this.scrub(JSON.stringify(value, null, 2))}\n`);
  }

  /** One compact JSON line on stdout (for streams such as `watch --json`). */
  jsonLine(value: unknown): void {
    this.streams.stdout.write(`${this.scrub(JSON.stringify(value))}\n`);
  }

  /**
   * An aligned table. On a terminal, the last column is cut to the terminal width
   * so rows never wrap.
   */
  table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): void {
    const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
    const widths = columns.map((c, i) =>
      Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))),
    );
    const total = this.streams.stdout.isTTY ? this.streams.stdout.columns : undefined;
    const last = columns.length - 1;
    if (total !== undefined && total > 20) {
      const used = widths.slice(0, last).reduce((a, b) => a + b + 2, 0);
      widths[last] = Math.max(8, Math.min(widths[last] ?? 0, total - used - 1));
    }
    const render = (values: readonly string[], styles: readonly (Style | undefined)[]) =>
      values
        .map((value, i) => {
          const w = widths[i] ?? 0;
          const cut = width(value) > w ? `${value.slice(0, Math.max(0, w - 1))}…` : value;
          const padded =
            i === last && columns[i]?.align !== 'right'
              ? cut
              : columns[i]?.align === 'right'
                ? cut.padStart(w)
                : cut.padEnd(w);
          const style = styles[i];
          return style ? this.style(style, padded) : padded;
        })
        .join('  ')
        .trimEnd();
    this.line(
      render(
        columns.map((c) => c.header),
        columns.map(() => 'bold'),
      ),
    );
    rows.forEach((row, r) => {
      this.line(
        render(
          cells[r] ?? [],
          columns.map((c) => c.style?.(row)),
        ),
      );
    });
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Display width, counting code points (close enough for names and ids). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
