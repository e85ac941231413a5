import {
  CorruptDataError,
  type Feature,
  type HistoryAction,
  type HistoryEntry,
  type HistoryQuery,
  parseFeature,
  RolloutError,
  type WriteContext,
} from '@rollout/core';
import {
  DELTA_LISTS,
  type DeltaList,
  type ListDelta,
  reconstructHistory,
  type StoredHistoryEntry,
} from '@rollout/core/store';
import { decodeStored } from './codec.js';
import { STORE_NAME } from './errors.js';
import type { KeyLayout } from './layout.js';

/*
 * Change history, kept under the store's hash tag in three keys (no feature name is
 * ever part of a key):
 *   history          hash: revision -> entry JSON
 *   history:all      sorted set: revision scored by itself (every feature, newest last)
 *   history:by-name  sorted set, all scores 0: "<name>\0<revision, 16 digits>", so one
 *                    feature's entries are one lexicographic range in revision order
 *                    (names hold no control characters, so "<name>\0" is an exact prefix).
 * The write scripts call `record` after their write, in the same script: the entry and
 * the write are one atomic step, and the trim of the feature's oldest entries too.
 */

/**
 * Lua: `record(revision, name, version, context, body, limit)`; `body` is the entry's
 * record members as JSON text: `"feature":...,"previous":...` (whole records: removes,
 * and entries of layout 1) or `"delta":{...}` (a compact write entry, see id-lists.ts).
 */
export const RECORD = `
local function padded(revision)
  return string.format('%016d', revision)
end
local function record(revision, name, version, context, body, limit)
  local time = redis.call('TIME')
  local atMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local rev = string.format('%d', revision)
  local entry = '{"revision":' .. rev .. ',"name":' .. cjson.encode(name) ..
    ',"version":' .. string.format('%d', version) .. ',"atMs":' .. string.format('%d', atMs) ..
    ',"context":' .. context .. ',' .. body .. '}'
  redis.call('HSET', KEYS[4], rev, entry)
  redis.call('ZADD', KEYS[5], revision, rev)
  redis.call('ZADD', KEYS[6], 0, name .. '\\0' .. padded(revision))
  local low, high = '[' .. name .. '\\0', '(' .. name .. '\\1'
  local excess = redis.call('ZLEXCOUNT', KEYS[6], low, high) - limit
  if excess > 0 then
    for _, member in ipairs(redis.call('ZRANGEBYLEX', KEYS[6], low, high, 'LIMIT', 0, excess)) do
      local old = string.format('%d', tonumber(string.sub(member, -16)))
      redis.call('HDEL', KEYS[4], old)
      redis.call('ZREM', KEYS[5], old)
      redis.call('ZREM', KEYS[6], member)
    end
  end
end
`;

/**
 * One page of entries and what rebuilding their records needs, read in one step.
 * ARGV = [name or '' for every feature, limit, before or '']. Returns
 * `{page, runs}`: the page's revisions (newest first), and for each feature on the page
 * `{name, {document or false, users, excludedUsers}, entries}`: its current state and
 * its entries from its newest one down to its oldest on the page (compact entries are
 * rebuilt from the state now backwards, so every newer one is needed; at most the
 * retention bound per feature).
 */
export const HISTORY_SOURCE = `
if not layoutReady() then return {-1} end
local name, limit, before = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local function padded(revision) return string.format('%016d', revision) end
local function revisionOf(member) return string.format('%d', tonumber(string.sub(member, -16))) end
local function state(nm)
  local doc = redis.call('HGET', KEYS[1], nm)
  if not doc then return {false, {}, {}} end
  return {doc, members(KEYS[7], nm), members(KEYS[8], nm)}
end
local function entries(revisions)
  if #revisions == 0 then return {} end
  return redis.call('HMGET', KEYS[4], unpack(revisions))
end
-- The feature's entries from its newest down to revision "from" (inclusive).
local function run(nm, from)
  local revisions = {}
  local index = redis.call('ZREVRANGEBYLEX', KEYS[6], highOf(nm), '[' .. nm .. '\\0' .. padded(from))
  for i, member in ipairs(index) do revisions[i] = revisionOf(member) end
  return {nm, state(nm), entries(revisions)}
end
local page = {}
if name ~= '' then
  local high = before == '' and highOf(name) or ('(' .. name .. '\\0' .. padded(tonumber(before)))
  for i, member in ipairs(redis.call('ZREVRANGEBYLEX', KEYS[6], high, lowOf(name), 'LIMIT', 0, limit)) do
    page[i] = revisionOf(member)
  end
  if #page == 0 then return {{}, {}} end
  return {page, {run(name, tonumber(page[#page]))}}
end
local max = before == '' and '+inf' or ('(' .. before)
page = redis.call('ZREVRANGEBYSCORE', KEYS[5], max, '-inf', 'LIMIT', 0, limit)
if #page == 0 then return {{}, {}} end
local oldest, names = {}, {}
for i, json in ipairs(entries(page)) do
  if json then
    local at = string.find(json, '"name":', 1, true) + 7
    local nm = cjson.decode(string.sub(json, at, skipString(json, at) - 1))
    local revision = tonumber(page[i])
    if not oldest[nm] then names[#names + 1] = nm end
    if not oldest[nm] or revision < oldest[nm] then oldest[nm] = revision end
  end
end
local runs = {}
for i, nm in ipairs(names) do runs[i] = run(nm, oldest[nm]) end
return {page, runs}
`;

/** The `context` JSON a write script embeds in its entry: the checked action, actor and note. */
export function encodeContext(context: WriteContext, action: HistoryAction): string {
  return JSON.stringify({ action, actor: context.actor, note: context.note });
}

/** ARGV of the history script for a checked query. */
export function historyArgs(query: HistoryQuery & { limit: number }): string[] {
  return [
    query.name ?? '',
    String(query.limit),
    query.before === undefined ? '' : String(query.before),
  ];
}

/** What the history script returns (see {@link HISTORY_SOURCE}). */
export type HistoryReply = [
  string[],
  [string, [string | null, string[], string[]], (string | null)[]][],
];

/**
 * The page of the history script's reply, each entry with whole records (compact ones
 * rebuilt with the kit's `reconstructHistory`). Throws CorruptDataError naming the key
 * and field of an entry that is not one.
 */
export function decodeHistory(keys: KeyLayout, reply: HistoryReply): HistoryEntry[] {
  const [page, runs] = reply;
  const wanted = new Set(page.map(Number));
  const stored: StoredHistoryEntry[] = [];
  const current = new Map<string, Feature | undefined>();
  for (const [name, [doc, users, excluded], entries] of runs) {
    current.set(name, doc === null ? undefined : decodeStored(keys, name, doc, users, excluded));
    // A null is an index member without its entry: only a hand edit does that; skip it.
    for (const json of entries) if (json !== null) stored.push(decodeEntry(keys, json));
  }
  stored.sort((a, b) => b.revision - a.revision);
  try {
    return reconstructHistory(stored, current, (e) => wanted.has(e.revision));
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, keys.history, message(error), { cause: error });
  }
}

interface RawEntry {
  revision: number;
  name: string;
  version: number;
  atMs: number;
  context: { action: HistoryAction; actor?: string; note?: string };
  feature?: unknown;
  previous?: unknown;
  delta?: { after: unknown; before: unknown; lists: Record<string, unknown> };
}

function decodeEntry(keys: KeyLayout, json: string): StoredHistoryEntry {
  let raw: RawEntry;
  try {
    raw = JSON.parse(json);
    if (typeof raw?.revision !== 'number' || typeof raw.context?.action !== 'string')
      throw new Error('not a history entry');
  } catch (error) {
    throw corrupt(keys, json, error);
  }
  const where = `${keys.history} field ${raw.revision}`;
  try {
    const meta = {
      revision: raw.revision,
      name: raw.name,
      version: raw.version,
      at: new Date(raw.atMs).toISOString(),
      action: raw.context.action,
      ...(raw.context.actor === undefined ? {} : { actor: raw.context.actor }),
      ...(raw.context.note === undefined ? {} : { note: raw.context.note }),
    };
    if (raw.delta !== undefined) {
      const { after, before, lists } = raw.delta;
      return {
        ...meta,
        delta: {
          after: documentOf(after),
          before: before === null ? undefined : documentOf(before),
          lists: listChanges(lists),
        },
      };
    }
    return {
      ...meta,
      feature: raw.feature === null ? undefined : parseFeature(raw.feature),
      previous: raw.previous === null ? undefined : parseFeature(raw.previous),
    };
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, where, message(error), { cause: error });
  }
}

// A document of a compact entry (lists marked as living apart), as a record without lists.
function documentOf(raw: unknown): Feature {
  if (typeof raw !== 'object' || raw === null)
    throw new Error('a delta document must be an object');
  return parseFeature({ ...raw, users: [], excludedUsers: [] });
}

function listChanges(raw: unknown): Partial<Record<DeltaList, ListDelta>> {
  const out: Partial<Record<DeltaList, ListDelta>> = {};
  if (typeof raw !== 'object' || raw === null) throw new Error('delta lists must be an object');
  for (const list of DELTA_LISTS) {
    const change = (raw as Record<string, { added?: unknown; removed?: unknown }>)[list];
    if (change === undefined) continue;
    out[list] = { added: idsOf(change.added), removed: idsOf(change.removed) };
  }
  return out;
}

function idsOf(raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((id) => typeof id === 'string'))
    throw new Error('a delta list must be a list of ids');
  return raw;
}
function corrupt(keys: KeyLayout, json: string, error: unknown): CorruptDataError {
  return new CorruptDataError(
    STORE_NAME,
    keys.history,
    `${message(error)} in ${JSON.stringify(json.slice(0, 80))}`,
    { cause: error },
  );
}

function message(error: unknown): string {
  return error instanceof RolloutError || error instanceof Error ? error.message : String(error);
}
