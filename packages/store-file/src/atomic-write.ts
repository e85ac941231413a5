import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` atomically: readers see either the old file or the
 * new one, never a mix, and after it resolves the new content survives a crash.
 * Writes a temp file in the same directory (rename is only atomic within one file
 * system), fsyncs it, renames it over the target, then fsyncs the directory so the
 * rename itself is durable. `mode` (the old file's permissions) is kept when given.
 * `text` may be given in parts, written one after the other (a file larger than the
 * longest string V8 allows).
 */
export async function writeFileAtomic(
  path: string,
  text: string | readonly string[],
  mode?: number,
): Promise<void> {
  const dir = dirname(path);
  // Dot-prefixed and random: hidden from casual listings, never collides with another writer.
  const temp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      if (typeof text === 'string') await handle.writeFile(text, 'utf8');
      else await writeParts(handle, text);
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

// Parts are batched into writes of about 1 MiB: one syscall per short line would be slow.
async function writeParts(
  handle: Awaited<ReturnType<typeof open>>,
  parts: readonly string[],
): Promise<void> {
  let batch: string[] = [];
  let length = 0;
  for (const part of parts) {
    batch.push(part);
    length += part.length;
    if (length >= 1 << 20) {
      await writeAll(handle, Buffer.from(batch.join(''), 'utf8'));
      batch = [];
      length = 0;
    }
  }
  if (batch.length > 0) await writeAll(handle, Buffer.from(batch.join(''), 'utf8'));
}

/**
 * Writes all of `bytes` at `position` (at the current offset when undefined): one
 * `write` may write less than it was given (a full disk, a signal), so it loops.
 */
export async function writeAll(
  handle: Awaited<ReturnType<typeof open>>,
  bytes: Buffer,
  position?: number,
): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const at = position === undefined ? null : position + done;
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, at);
    done += bytesWritten;
  }
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
