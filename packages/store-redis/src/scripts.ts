import { createHash } from 'node:crypto';
import { APPLY_SOURCE } from './apply-script.js';
import type { RedisClient } from './connection.js';
import { HISTORY_SOURCE, RECORD } from './history.js';
import type { KeyLayout } from './layout.js';

/** A Lua script and its SHA1, for EVALSHA with an EVAL fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// All scripts take KEYS = [features, versions, revision, history, history:all,
// history:by-name] (one hash tag, one slot). A script runs atomically
// in Redis: no other command interleaves, so check-then-write is a true
// compare-and-set across every process, and a write is all or nothing.

// The change message, `{"revision":N,"name":"..."}`. The revision is formatted with
// %d because Lua's tostring (and cjson's number encoding) switch to 14-digit
// exponent notation for large numbers; cjson.encode escapes the name as JSON and
// passes UTF-8 through untouched.
const NOTIFICATION = `
local function notification(revision, name)
  return '{"revision":' .. string.format('%d', revision) .. ',"name":' .. cjson.encode(name) .. '}'
end
`;

/**
 * Compare-and-set write and its history entry. ARGV = [name, expectedVersion,
 * featureJson, channel, contextJson, historyLimit].
 * Returns {1, revision} when written, {0, currentVersion} on a version conflict.
 */
export const PUT_SCRIPT = script(`${NOTIFICATION}${RECORD}
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if current ~= tonumber(ARGV[2]) then
  return {0, current}
end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], current + 1)
local revision = redis.call('INCR', KEYS[3])
record(revision, ARGV[1], current + 1, ARGV[5], ARGV[3], previous or nil, tonumber(ARGV[6]))
redis.call('PUBLISH', ARGV[4], notification(revision, ARGV[1]))
return {1, revision}
`);

/**
 * Compare-and-delete and its history entry. ARGV = [name, expectedVersion or '' for
 * any, channel, contextJson, historyLimit].
 * Returns {1, revision} when removed, {2, 0} when there was nothing to remove,
 * {0, currentVersion} on a version conflict.
 */
export const REMOVE_SCRIPT = script(`${NOTIFICATION}${RECORD}
local current = redis.call('HGET', KEYS[2], ARGV[1])
if not current then
  if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= 0 then
    return {0, 0}
  end
  return {2, 0}
end
if ARGV[2] ~= '' and tonumber(current) ~= tonumber(ARGV[2]) then
  return {0, tonumber(current)}
end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local revision = redis.call('INCR', KEYS[3])
record(revision, ARGV[1], tonumber(current) + 1, ARGV[4], nil, previous or nil, tonumber(ARGV[5]))
redis.call('PUBLISH', ARGV[3], notification(revision, ARGV[1]))
return {1, revision}
`);

/**
 * Applies operations and records the write, in one script; see apply-script.ts.
 * Returns {1, recordJson} when written, {2, recordJson} when nothing changed, {4} when
 * the feature does not exist (and was not to be created), {3, field, valueJson, why}
 * when the result would be invalid (nothing written).
 */
export const APPLY_SCRIPT = script(`${NOTIFICATION}${RECORD}${APPLY_SOURCE}`);

/**
 * Consistent snapshot: the revision and every feature read in one atomic step.
 * Returns {revision or false, {name1, json1, name2, json2, ...}}.
 */
export const SNAPSHOT_SCRIPT = script(`
return {redis.call('GET', KEYS[3]), redis.call('HGETALL', KEYS[1])}
`);

/** One page of history; see history.ts. */
export const HISTORY_SCRIPT = script(HISTORY_SOURCE);

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
  const all = [features, versions, revision, history, historyAll, historyByName];
  try {
    return (await client.evalsha(script.sha, all.length, ...all, ...args)) as T;
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return (await client.eval(script.source, all.length, ...all, ...args)) as T;
  }
}
