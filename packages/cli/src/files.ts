import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './cli-error.js';
import type { CommandContext } from './command.js';
import { EXIT } from './exit-codes.js';

/** Reads FILE, or stdin for `-`; a file that cannot be read is one clear CLI error. */
export async function readInput(ctx: CommandContext, file: string): Promise<string> {
  try {
    return file === '-' ? await ctx.readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${JSON.stringify(file)}: ${(error as { code?: string }).code ?? String(error)}`,
      EXIT.ERROR,
      { cause: error },
    );
  }
}

/** Writes `text` to `target` through a temp file next to it and a rename: readers never see half a file. */
export async function writeAtomic(target: string, text: string): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  await writeFile(temp, text, 'utf8');
  await rename(temp, target);
}
