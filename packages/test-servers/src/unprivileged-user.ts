import { readFileSync } from 'node:fs';

/** True when this process runs as root (PostgreSQL and memcached refuse to). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** uid/gid of `nobody` from /etc/passwd (65534 on Debian when it cannot be read). */
export function nobody(): { uid: number; gid: number } {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'nobody' && uid !== undefined && gid !== undefined) {
        return { uid: Number(uid), gid: Number(gid) };
      }
    }
  } catch {
    // fall through to Debian's numbers
  }
  return { uid: 65534, gid: 65534 };
}
