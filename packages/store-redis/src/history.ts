import {
  CorruptDataError,
  type HistoryAction,
  type HistoryEntry,
  type HistoryQuery,
  parseFeature,
  RolloutError,
  type WriteContext,
} from '@rollout/core';
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

/** Lua: `record(revision, name, version, context, feature, previous, limit)`. */
export const RECORD = `
local function padded(revision)
  return string.format('%016d', revision)
end
local function record(revision, name, version, context, feature, previous, limit)
  local time = redis.call('TIME')
  local atMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local rev = string.format('%d', revision)
  local entry = '{"revision":' .. rev .. ',"name":' .. cjson.encode(name) ..
    ',"version":' .. string.format('%d', version) .. ',"atMs":' .. string.format('%d', atMs) ..
    ',"context":' .. context .. ',"feature":' .. (feature or 'null') ..
    ',"previous":' .. (previous or 'null') .. '}'
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
 * One page of entries. ARGV = [name or '' for every feature, limit, before or ''].
 * Returns the entries' JSON, newest first.
 */
export const HISTORY_SOURCE = `
local name, limit, before = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local revisions = {}
if name == '' then
  local max = before == '' and '+inf' or ('(' .. before)
  revisions = redis.call('ZREVRANGEBYSCORE', KEYS[5], max, '-inf', 'LIMIT', 0, limit)
else
  local high = before == '' and ('(' .. name .. '\\1')
    or ('(' .. name .. '\\0' .. string.format('%016d', tonumber(before)))
  local members = redis.call('ZREVRANGEBYLEX', KEYS[6], high, '[' .. name .. '\\0', 'LIMIT', 0, limit)
  for i, member in ipairs(members) do
    revisions[i] = string.format('%d', tonumber(string.sub(member, -16)))
  end
end
if #revisions == 0 then return {} end
return redis.call('HMGET', KEYS[4], unpack(revisions))
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

/** The entries of the history script's reply. Throws CorruptDataError naming the key and field. */
export function decodeEntries(
  keys: KeyLayout,
  replies: readonly (string | null)[],
): HistoryEntry[] {
  // A null is an index member without its entry: only a hand edit does that; skip it.
  return replies.flatMap((json) => (json === null ? [] : [decodeEntry(keys, json)]));
}

function decodeEntry(keys: KeyLayout, json: string): HistoryEntry {
  let raw: {
    revision: number;
    name: string;
    version: number;
    atMs: number;
    context: { action: HistoryAction; actor?: string; note?: string };
    feature: unknown;
    previous: unknown;
  };
  try {
    raw = JSON.parse(json);
    if (typeof raw?.revision !== 'number' || typeof raw.context?.action !== 'string')
      throw new Error('not a history entry');
  } catch (error) {
    throw corrupt(keys, json, error);
  }
  const where = `${keys.history} field ${raw.revision}`;
  try {
    return {
      revision: raw.revision,
      name: raw.name,
      version: raw.version,
      at: new Date(raw.atMs).toISOString(),
      action: raw.context.action,
      ...(raw.context.actor === undefined ? {} : { actor: raw.context.actor }),
      ...(raw.context.note === undefined ? {} : { note: raw.context.note }),
      feature: raw.feature === null ? undefined : parseFeature(raw.feature),
      previous: raw.previous === null ? undefined : parseFeature(raw.previous),
    };
  } catch (error) {
    throw new CorruptDataError(STORE_NAME, where, message(error), { cause: error });
  }
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
