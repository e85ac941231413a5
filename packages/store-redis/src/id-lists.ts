import { LAYOUT_VERSION, LIST_MARKER } from './layout.js';

/*
 * Lua helpers for the id lists of layout 2. Every id of a feature's `users` list is a
 * member `<name>\0<id>` (score 0) of the `users` sorted set, likewise the deny list in
 * `excluded-users`. Names hold no control characters, so `<name>\0` is an exact prefix
 * and one feature's ids are one lexicographic range: `[<name>\0` to `(<name>\1`. Adding
 * or removing an id is one ZADD / ZREM (O(log M) in all the ids of the store), a
 * membership test one ZSCORE (O(1)), a list's length one ZLEXCOUNT (O(log M)); reading a
 * list is O(log M + n). Ids may hold any character: the first \0 ends the name.
 *
 * KEYS of every script (scripts.ts): 1 features, 2 versions, 3 revision, 4 history,
 * 5 history:all, 6 history:by-name, 7 users, 8 excluded-users, 9 layout.
 */
export const ID_LISTS = `
local LIST_KEYS = {users = KEYS[7], excludedUsers = KEYS[8]}
local LIST_FIELDS = {'users', 'excludedUsers'}
local MARKER = ${JSON.stringify(JSON.stringify(LIST_MARKER))}
local function layoutReady()
  return redis.call('GET', KEYS[9]) == '${LAYOUT_VERSION}'
end
local function lowOf(name) return '[' .. name .. '\\0' end
local function highOf(name) return '(' .. name .. '\\1' end
local function memberOf(name, id) return name .. '\\0' .. id end
-- The ids of one feature's list, in member order (bytes), the name cut off.
local function members(key, name)
  local out, cut = {}, #name + 2
  for i, m in ipairs(redis.call('ZRANGEBYLEX', key, lowOf(name), highOf(name))) do
    out[i] = string.sub(m, cut)
  end
  return out
end
local function listed(key, name, id)
  return redis.call('ZSCORE', key, memberOf(name, id)) ~= false
end
-- ZADD / ZREM in chunks: unpack has a stack limit of a few thousand values.
local function zadd(key, name, ids)
  local args = {}
  for _, id in ipairs(ids) do
    args[#args + 1] = 0
    args[#args + 1] = memberOf(name, id)
    if #args >= 2000 then redis.call('ZADD', key, unpack(args)); args = {} end
  end
  if #args > 0 then redis.call('ZADD', key, unpack(args)) end
end
local function zrem(key, name, ids)
  local args = {}
  for _, id in ipairs(ids) do
    args[#args + 1] = memberOf(name, id)
    if #args >= 1000 then redis.call('ZREM', key, unpack(args)); args = {} end
  end
  if #args > 0 then redis.call('ZREM', key, unpack(args)) end
end
-- A JSON list of strings (cjson writes an empty table as {}, hence the special case).
local function strings(items)
  if #items == 0 then return '[]' end
  return cjson.encode(items)
end
-- The "delta" member of a compact history entry (core's HistoryDelta): the documents
-- after and before (null when created) and, per list that changed, the ids added and removed.
local function deltaBody(after, before, changes)
  local parts = {}
  for _, field in ipairs(LIST_FIELDS) do
    local c = changes[field]
    if c and (#c.added > 0 or #c.removed > 0) then
      parts[#parts + 1] = '"' .. field .. '":{"added":' .. strings(c.added) ..
        ',"removed":' .. strings(c.removed) .. '}'
    end
  end
  return '"delta":{"after":' .. after .. ',"before":' .. (before or 'null') ..
    ',"lists":{' .. table.concat(parts, ',') .. '}}'
end
-- Replaces a feature's list by \`ids\` (unique), touching only what differs; returns the change.
local function replaceList(field, name, ids)
  local key = LIST_KEYS[field]
  local want, have = {}, {}
  for _, id in ipairs(ids) do want[id] = true end
  local added, removed = {}, {}
  for _, id in ipairs(members(key, name)) do
    have[id] = true
    if not want[id] then removed[#removed + 1] = id end
  end
  for _, id in ipairs(ids) do if not have[id] then added[#added + 1] = id end end
  zrem(key, name, removed)
  zadd(key, name, added)
  return {added = added, removed = removed}
end
`;
