import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where JSON results go: packages/bench/results (git-ignored). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results');

/** Collects every section's printed text (for PERFORMANCE.md) and data (for the JSON file). */
export class Report {
  readonly sections: { key: string; title: string; text: string; data: unknown }[] = [];

  /** Prints a section heading, its text, and remembers both. */
  add(key: string, title: string, text: string, data: unknown): void {
    console.log(`\n## ${title}\n\n${text}\n`);
    this.sections.push({ key, title, text, data });
  }

  /** Prints a note that belongs to no table (skips, progress). */
  note(text: string): void {
    console.log(text);
  }

  /** Writes `results/bench-<timestamp>.json` and `results/latest.json`; returns the first path. */
  write(meta: Record<string, unknown>): string {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const body = JSON.stringify(
      {
        ...meta,
        sections: Object.fromEntries(
          this.sections.map((s) => [s.key, { title: s.title, data: s.data }]),
        ),
      },
      null,
      2,
    );
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(RESULTS_DIR, `bench-${stamp}.json`);
    writeFileSync(file, body);
    writeFileSync(join(RESULTS_DIR, 'latest.json'), body);
    return file;
  }
}
