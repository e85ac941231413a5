import { ValidationError } from '@rollout/core';

/** The default key prefix. */
export const DEFAULT_PREFIX = 'rollout:';

// No braces (they would move the Cluster hash tag), no control characters or white
// space (they make keys unreadable in redis-cli), and short enough to stay a prefix.
const PREFIX_PATTERN = /^[^{}\s]{1,100}$/;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Where a store's data lives. Every key carries the whole prefix as its Cluster
 * hash tag (`{rollout:}features`), so all of one store's keys share one slot and a
 * single Lua script may touch all of them; stores with different prefixes spread
 * over the cluster. Feature names are hash fields, never part of a key, a
 * pattern or a channel.
 */
export interface KeyLayout {
  /**
   * Hash: feature name -> the feature's document: its JSON record (`version` included)
   * with `users` and `excludedUsers` replaced by {@link LIST_MARKER}; the ids live in
   * {@link KeyLayout.users} and {@link KeyLayout.excludedUsers}.
   */
  readonly features: string;
  /** Hash: feature name -> version (the compare-and-set index; same transaction as `features`). */
  readonly versions: string;
  /** String: the store revision, INCR'd by every write. */
  readonly revision: string;
  /** Pub/sub channel: `{"revision":N,"name":"..."}` after every write. */
  readonly channel: string;
  /** Hash: revision -> history entry JSON (see history.ts). */
  readonly history: string;
  /** Sorted set: every entry's revision, scored by itself. */
  readonly historyAll: string;
  /** Sorted set (scores 0): `<name>\0<16-digit revision>`, one lexicographic range per feature. */
  readonly historyByName: string;
  /** Sorted set (scores 0): `<name>\0<user id>` for every id on a feature's `users` list. */
  readonly users: string;
  /** Sorted set (scores 0): `<name>\0<user id>` for every id on a feature's deny list. */
  readonly excludedUsers: string;
  /** String: the layout version of the data ({@link LAYOUT_VERSION}); missing: today's layout is older (or there is no data). */
  readonly layout: string;
}

/**
 * The layout this code reads and writes: 2, ids in sorted sets beside the documents.
 * (1, unversioned: each document held its whole lists.) See README § Key layout.
 */
export const LAYOUT_VERSION = 2;

/**
 * What a document holds in place of its id lists: a string, so a process of an older
 * version that reads a document of this layout fails loudly (CorruptDataError: users
 * must be an array) instead of serving a feature without its users.
 */
export const LIST_MARKER = '@ids';

/** Checks a prefix and derives the key layout from it. Throws ValidationError for a bad prefix. */
export function keyLayout(prefix: unknown = DEFAULT_PREFIX): KeyLayout {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix) || hasControlCharacter(prefix)) {
    throw new ValidationError(
      'prefix',
      prefix,
      'a Redis key prefix must be 1 to 100 characters without braces, white space or control characters',
    );
  }
  const tag = `{${prefix}}`;
  return {
    features: `${tag}features`,
    versions: `${tag}versions`,
    revision: `${tag}revision`,
    channel: `${tag}changes`,
    history: `${tag}history`,
    historyAll: `${tag}history:all`,
    historyByName: `${tag}history:by-name`,
    users: `${tag}users`,
    excludedUsers: `${tag}excluded-users`,
    layout: `${tag}layout`,
  };
}
