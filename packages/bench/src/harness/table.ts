/** A cell: text, or a number formatted by the column. */
export type Cell = string | number | undefined;

/** Column alignment: numbers right, text left. */
export interface Column {
  title: string;
  align?: 'left' | 'right';
}

/** Renders a plain-text table (also valid Markdown: pipes and a separator row). */
export function renderTable(columns: Column[], rows: Cell[][]): string {
  const text = rows.map((r) => columns.map((_, i) => cellText(r[i])));
  const widths = columns.map((c, i) =>
    Math.max(c.title.length, ...text.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    `| ${cells
      .map((c, i) =>
        columns[i]?.align === 'right'
          ? c.padStart(widths[i] as number)
          : c.padEnd(widths[i] as number),
      )
      .join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (columns[i]?.align === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(columns.map((c) => c.title)), sep, ...text.map(line)].join('\n');
}

function cellText(c: Cell): string {
  if (c === undefined) return '';
  if (typeof c === 'number') return formatNumber(c);
  return c;
}

/** A number with about three significant digits and thousands separators. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (Number.isInteger(n) || abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  if (abs === 0) return '0';
  return n.toPrecision(2);
}

/** Nanoseconds as a human duration (ns, µs, ms, s). */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns < 1_000) return `${formatNumber(ns)} ns`;
  if (ns < 1_000_000) return `${formatNumber(ns / 1_000)} µs`;
  if (ns < 1_000_000_000) return `${formatNumber(ns / 1_000_000)} ms`;
  return `${formatNumber(ns / 1_000_000_000)} s`;
}

/** Bytes as a human size (B, KiB, MiB). */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  if (Math.abs(b) < 1024) return `${formatNumber(b)} B`;
  if (Math.abs(b) < 1024 * 1024) return `${formatNumber(b / 1024)} KiB`;
  return `${formatNumber(b / 1024 / 1024)} MiB`;
}
