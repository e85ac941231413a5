import { StoreError } from '@rollout/core';
import { sleep } from '@rollout/core/store';
import type { Memcache } from './binary-protocol.js';
import { decodeLegacyIndex, decodeSentinel, encodeMovedIndex, encodeSentinel } from './codec.js';
import { STORE_NAME, Status } from './errors.js';
import { INDEX_ATTEMPTS, type IndexShards } from './index-shards.js';
import {
  INDEX_SHARDS,
  type IndexEntry,
  type Keys,
  LAYOUT_FORMAT,
  type Sentinel,
  shardOf,
} from './layout.js';

/** A migration that started this long ago (ms) and has not finished was abandoned: take it over. */
const TAKEOVER_MS = 10_000;
/** How often a process waiting for another's migration looks again (ms). */
const WAIT_MS = 50;

/** The parts of a store a migration reads and writes. */
export interface MigrationParts {
  readonly mc: Memcache;
  readonly keys: Keys;
  readonly expires: number;
  readonly index: IndexShards;
}

/**
 * Upgrades a namespace written by a release with layout 1 (every entry in one `index`
 * item) to the sharded index, in place: records keep their keys, only index entries
 * move. Safe with several processes connecting at once and with old-release processes
 * still writing:
 *
 * 1. layout 1's `index` is swapped (CAS) for a marker that still holds its entries, so
 *    an old-release writer can no longer commit (its CAS fails, and it then reads data
 *    it refuses as corrupt) and only the process whose swap landed migrates;
 * 2. the entries go into their shards (each shard created with `add`, then merged by
 *    CAS: an entry already there is kept);
 * 3. the sentinel becomes format 2, same id (no process sees a data loss);
 * 4. the marker drops the entries.
 *
 * Others wait for step 3; a migration left unfinished for {@link TAKEOVER_MS} (its
 * process died) is redone from the marker, which step 2 makes harmless.
 */
export async function migrateLayout(parts: MigrationParts): Promise<Sentinel> {
  const { mc, keys } = parts;
  for (let attempt = 0; ; attempt++) {
    if (attempt > (TAKEOVER_MS / WAIT_MS) * 3) {
      throw new StoreError(STORE_NAME, 'migrating the index to the sharded layout never finished');
    }
    const sentinelItem = await mc.get(keys.sentinel);
    if (!sentinelItem) throw new StoreError(STORE_NAME, 'the sentinel vanished during migration');
    const sentinel = decodeSentinel(sentinelItem.value, keys.sentinel);
    if (sentinel.format === LAYOUT_FORMAT) return sentinel;

    const legacy = await mc.get(keys.legacyIndex);
    let entries: Map<string, IndexEntry> | undefined;
    if (legacy) {
      const read = decodeLegacyIndex(legacy.value, keys.legacyIndex);
      if (!read.moved) {
        // Step 1: only the process whose swap lands migrates.
        const status = await mc.set(
          keys.legacyIndex,
          encodeMovedIndex(read.entries?.values() ?? []),
          parts.expires,
          legacy.cas,
        );
        if (status !== Status.OK) continue; // an old-release writer (or another migrator) was first
        entries = read.entries;
      } else if (read.entries && Date.now() - read.movedAt < TAKEOVER_MS) {
        await sleep(WAIT_MS); // another process is migrating
        continue;
      } else {
        entries = read.entries; // abandoned: take it over (undefined: only the sentinel was left)
      }
    }
    // No `index` at all: layout 1's data was lost already. Only the sentinel moves on;
    // the missing shards are then reported as a loss, and restore() re-creates them.
    if (entries) await fillShards(parts, entries);
    const upgraded: Sentinel = { ...sentinel, format: LAYOUT_FORMAT, shards: INDEX_SHARDS };
    const status = await mc.set(
      keys.sentinel,
      encodeSentinel(upgraded),
      parts.expires,
      sentinelItem.cas,
    );
    if (status !== Status.OK) continue; // changed under us (restored, or migrated by another): look again
    if (legacy) await mc.set(keys.legacyIndex, encodeMovedIndex(), parts.expires);
    return upgraded;
  }
}

/** Step 2: every entry into its shard, keeping an entry a shard already has. */
async function fillShards(parts: MigrationParts, entries: Map<string, IndexEntry>): Promise<void> {
  const { index } = parts;
  await index.create();
  const byShard = new Map<number, IndexEntry[]>();
  for (const e of entries.values()) {
    const s = shardOf(e.name);
    byShard.set(s, [...(byShard.get(s) ?? []), e]);
  }
  await Promise.all(
    [...byShard].map(async ([shard, moving]) => {
      for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
        const read = await index.tryRead(shard);
        if (!read) {
          await index.createShard(shard);
          continue;
        }
        const next = new Map(read.entries);
        for (const e of moving) if (!next.has(e.name)) next.set(e.name, e);
        if (next.size === read.entries.size) return;
        if ((await index.swap(shard, next, read.item.cas)) === Status.OK) return;
      }
      throw new StoreError(STORE_NAME, `migrating index shard ${shard} gave up: it kept changing`);
    }),
  );
}
