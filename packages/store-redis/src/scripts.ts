import { createHash } from 'node:crypto';
import { APPLY_SOURCE } from './apply-script.js';
import type { RedisClient } from './connection.js';
import { HISTORY_SOURCE, RECORD } from './history.js';
import { ID_LISTS } from './id-lists.js';
import { JSON_SCANNER } from './json-scanner.js';
import { type KeyLayout, LAYOUT_VERSION } from './layout.js';
import { MIGRATE_SOURCE } from './migration.js';

/** A Lua script and its SHA1, for EVALSHA with an EVAL fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// All scripts take KEYS = [features, versions, revision, history, history:all,
// history:by-name, users, excluded-users, layout] (one hash tag, one slot). A script
// runs atomically in Redis: no other command interleaves, so check-then-write is a
// true compare-and-set across every process, and a write is all or nothing. Every
// script first checks the layout version key and answers {-1} (LAYOUT_MISSING) when the
// data is not of this layout yet; the store then migrates it (migration.ts) and runs
// the script again.

// The change message, `{"revision":N,"name":"...","version":V}` (no version for a
// remove). Numbers are formatted with %d because Lua's tostring (and cjson's number
// encoding) switch to 14-digit exponent notation for large numbers; cjson.encode
// escapes the name as JSON and passes UTF-8 through untouched.
const NOTIFICATION = `
local function notification(revision, name, version)
  local tail = version and (',"version":' .. string.format('%d', version)) or ''
  return '{"revision":' .. string.format('%d', revision) .. ',"name":' .. cjson.encode(name) .. tail .. '}'
end
`;

const PRELUDE = `${NOTIFICATION}${RECORD}${JSON_SCANNER}${ID_LISTS}`;

/** What every script answers when the data is not of this layout yet. */
export const LAYOUT_MISSING = -1;

/**
 * Compare-and-set write and its (compact) history entry. ARGV = [name,
 * expectedVersion, document, usersJson, excludedUsersJson, channel, contextJson,
 * historyLimit]. The lists are replaced by touching only the ids that differ.
 * Returns {1, revision} when written, {0, currentVersion} on a version conflict.
 */
export const PUT_SCRIPT = script(`${PRELUDE}
if not layoutReady() then return {-1} end
local name = ARGV[1]
local current = tonumber(redis.call('HGET', KEYS[2], name) or '0')
if current ~= tonumber(ARGV[2]) then
  return {0, current}
end
local previous = redis.call('HGET', KEYS[1], name)
local changes = {
  users = replaceList('users', name, cjson.decode(ARGV[4])),
  excludedUsers = replaceList('excludedUsers', name, cjson.decode(ARGV[5])),
}
redis.call('HSET', KEYS[1], name, ARGV[3])
redis.call('HSET', KEYS[2], name, current + 1)
local revision = redis.call('INCR', KEYS[3])
record(revision, name, current + 1, ARGV[7], deltaBody(ARGV[3], previous or nil, changes), tonumber(ARGV[8]))
redis.call('PUBLISH', ARGV[6], notification(revision, name, current + 1))
return {1, revision}
`);

/**
 * Compare-and-delete and its history entry (whole: the removed record, lists
 * included, which a walk back through the history starts from). ARGV = [name,
 * expectedVersion or '' for any, channel, contextJson, historyLimit].
 * Returns {1, revision} when removed, {2, 0} when there was nothing to remove,
 * {0, currentVersion} on a version conflict.
 */
export const REMOVE_SCRIPT = script(`${PRELUDE}
if not layoutReady() then return {-1} end
local name = ARGV[1]
local current = redis.call('HGET', KEYS[2], name)
if not current then
  if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= 0 then
    return {0, 0}
  end
  return {2, 0}
end
if ARGV[2] ~= '' and tonumber(current) ~= tonumber(ARGV[2]) then
  return {0, tonumber(current)}
end
local previous = redis.call('HGET', KEYS[1], name)
local whole = nil
if previous then
  local fields, order = splitObject(previous)
  for _, field in ipairs(LIST_FIELDS) do fields[field] = strings(members(LIST_KEYS[field], name)) end
  whole = joinObject(fields, order)
end
for _, field in ipairs(LIST_FIELDS) do
  redis.call('ZREMRANGEBYLEX', LIST_KEYS[field], lowOf(name), highOf(name))
end
redis.call('HDEL', KEYS[1], name)
redis.call('HDEL', KEYS[2], name)
local revision = redis.call('INCR', KEYS[3])
record(revision, name, tonumber(current) + 1, ARGV[4],
  '"feature":null,"previous":' .. (whole or 'null'), tonumber(ARGV[5]))
redis.call('PUBLISH', ARGV[3], notification(revision, name, nil))
return {1, revision}
`);

/**
 * Applies operations and records the write, in one script; see apply-script.ts.
 * Returns {1, version, createdAtJson, revision} when written, {2, version,
 * createdAtJson} when nothing changed, {4} when the feature does not exist (and was
 * not to be created), {3, field, valueJson, why} when the result would be invalid
 * (nothing written).
 */
export const APPLY_SCRIPT = script(`${PRELUDE}${APPLY_SOURCE}`);

/**
 * Consistent snapshot: the revision, every document and every id read in one atomic
 * step. Returns {revision or false, {name1, doc1, ...}, users members, excluded members}.
 */
export const SNAPSHOT_SCRIPT = script(`
if redis.call('GET', KEYS[9]) ~= '${LAYOUT_VERSION}' then return {-1} end
return {redis.call('GET', KEYS[3]), redis.call('HGETALL', KEYS[1]),
  redis.call('ZRANGE', KEYS[7], 0, -1), redis.call('ZRANGE', KEYS[8], 0, -1)}
`);

/**
 * One feature: its document and its two lists' members, read in one step. ARGV =
 * [name]. Returns {document or false, users members, excluded members}.
 */
export const GET_SCRIPT = script(`${ID_LISTS}
if not layoutReady() then return {-1} end
local name = ARGV[1]
local doc = redis.call('HGET', KEYS[1], name)
if not doc then return {false} end
return {doc, redis.call('ZRANGEBYLEX', KEYS[7], lowOf(name), highOf(name)),
  redis.call('ZRANGEBYLEX', KEYS[8], lowOf(name), highOf(name))}
`);

/** One page of history; see history.ts. */
export const HISTORY_SCRIPT = script(`${JSON_SCANNER}${ID_LISTS}${HISTORY_SOURCE}`);

/** Moves the data to this layout; see migration.ts. */
export const MIGRATE_SCRIPT = script(`${JSON_SCANNER}${ID_LISTS}${MIGRATE_SOURCE}`);

/** What {@link PUT_SCRIPT} and {@link REMOVE_SCRIPT} return: `[status, revision or current version]`. */
export type ScriptReply = [number, number];

/**
 * Runs `script` with every key of `keys` (see above): EVALSHA, falling
 * back to EVAL (which also caches the script) after a NOSCRIPT, e.g. once the server's
 * script cache was flushed or a failover went to a replica that never saw it.
 */
export async function runScript<T>(
  client: RedisClient,
  script: LuaScript,
  keys: KeyLayout,
  args: readonly string[],
): Promise<T> {
  const { features, versions, revision, history, historyAll, historyByName } = keys;
  const all = [
    features,
    versions,
    revision,
    history,
    historyAll,
    historyByName,
    keys.users,
    keys.excludedUsers,
    keys.layout,
  ];
  try {
    return (await client.evalsha(script.sha, all.length, ...all, ...args)) as T;
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return (await client.eval(script.source, all.length, ...all, ...args)) as T;
  }
}
