import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` atomically: readers see either the old file or the
 * new one, never a mix, and after it resolves the new content survives a crash.
 * Writes a temp file in the same directory (rename is only atomic within one file
 * system), fsyncs it, renames it over the target, then fsyncs the directory so the
 * rename itself is durable. `mode` (the old file's permissions) is kept when given.
 */
export async function writeFileAtomic(path: string, text: string, mode?: number): Promise<void> {
  const dir = dirname(path);
  // Dot-prefixed and random: hidden from casual listings, never collides with another writer.
  const temp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      await handle.writeFile(text, 'utf8');
      if (mode !== undefined) await handle.chmod(mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
}

/** fsyncs a directory so a rename in it is durable. Platforms that cannot (Windows) skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Windows cannot open or fsync a directory; some file systems refuse fsync on one.
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES')
      throw error;
  } finally {
    await handle?.close();
  }
}
