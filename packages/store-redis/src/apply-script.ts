import {
  type ApplyOptions,
  type FeatureOperation,
  featureFromInput,
  LIMITS,
  type WriteContext,
} from '@rollout/core';
import { writeAction } from '@rollout/core/store';
import { encodeContext } from './history.js';

/*
 * `apply` in one Lua script: read the record, apply the operations, write it back with
 * its version, revision, history entry and notification, all in one atomic step (no
 * other command interleaves), so there is no conflict to retry.
 *
 * The record is never decoded and re-encoded whole: cjson would turn `[]` into `{}` and
 * round numbers in `data` and variant values to 14 digits. The script splits the record's
 * top-level object into raw JSON values (a scanner that skips strings and nested
 * brackets), decodes only the lists an operation edits (strings and pins, which cjson
 * round-trips exactly), and re-encodes only those; every other value is spliced back as
 * the very text it was. Values an operation sets come pre-encoded by JavaScript. The
 * semantics are core's `applyOperations`; the conformance suite checks they agree.
 */
const SOURCE = `
local function skipString(s, i)
  while true do
    local j = string.find(s, '["\\\\]', i + 1)
    if not j then error('unterminated string') end
    if string.byte(s, j) == 92 then i = j + 1 else return j + 1 end
  end
end
local function skipValue(s, i)
  local c = string.byte(s, i)
  if c == 34 then return skipString(s, i) end
  if c == 123 or c == 91 then
    local depth = 0
    while true do
      local j = string.find(s, '[%[%]{}"]', i)
      if not j then error('unterminated value') end
      local b = string.byte(s, j)
      if b == 34 then
        i = skipString(s, j)
      else
        if b == 123 or b == 91 then depth = depth + 1 else depth = depth - 1 end
        i = j + 1
        if depth == 0 then return i end
      end
    end
  end
  return string.find(s, '[,}%]%s]', i)
end
local function splitObject(s)
  local fields, order = {}, {}
  local i = string.find(s, '{', 1, true) + 1
  while true do
    i = string.find(s, '[^%s]', i)
    if string.byte(s, i) == 125 then break end
    local keyEnd = skipString(s, i)
    local key = cjson.decode(string.sub(s, i, keyEnd - 1))
    i = string.find(s, '[^%s]', string.find(s, ':', keyEnd, true) + 1)
    local valueEnd = skipValue(s, i)
    if fields[key] == nil then order[#order + 1] = key end
    fields[key] = string.sub(s, i, valueEnd - 1)
    i = string.find(s, '[^%s]', valueEnd)
    if string.byte(s, i) == 44 then i = i + 1 else break end
  end
  return fields, order
end
local function joinObject(fields, order)
  local parts = {}
  for _, key in ipairs(order) do
    if fields[key] ~= nil then parts[#parts + 1] = cjson.encode(key) .. ':' .. fields[key] end
  end
  for key, value in pairs(fields) do
    local known = false
    for _, k in ipairs(order) do if k == key then known = true end end
    if not known then parts[#parts + 1] = cjson.encode(key) .. ':' .. value end
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

local name, ops = ARGV[1], cjson.decode(ARGV[2])
local doc = redis.call('HGET', KEYS[1], name)
local created = false
if not doc then
  if ARGV[3] == '' then return {4} end
  doc, created = ARGV[3], true
end
local previous = not created and doc or nil
local fields, order = splitObject(doc)
local changed = created
local maxUsers, maxGroups = tonumber(ARGV[9]), tonumber(ARGV[10])

-- Lists an operation edits, decoded once: {items = {...}, has = {id = true}}.
local lists = {}
local function list(field)
  if not lists[field] then
    local items = fields[field] and cjson.decode(fields[field]) or {}
    local has = {}
    for _, v in ipairs(items) do has[v] = true end
    lists[field] = {items = items, has = has}
  end
  return lists[field]
end
local pins, pinsDirty = nil, false
local function pinList()
  if not pins then
    pins = {}
    if fields.userVariants then
      for _, p in ipairs(cjson.decode(fields.userVariants)) do pins[p.user] = p.variant end
    end
  end
  return pins
end
-- The stored lists are sorted: a new value goes in at its place (binary search), no re-sort.
local function insertSorted(items, v)
  local low, high = 1, #items
  while low <= high do
    local mid = math.floor((low + high) / 2)
    if items[mid] < v then low = mid + 1 else high = mid - 1 end
  end
  table.insert(items, low, v)
end
local function add(field, values)
  local l = list(field)
  for _, v in ipairs(values) do
    if not l.has[v] then
      l.has[v] = true
      insertSorted(l.items, v)
      l.dirty, changed = true, true
    end
  end
end
local function remove(field, values)
  local l = list(field)
  local gone = {}
  for _, v in ipairs(values) do
    if l.has[v] then gone[v] = true; l.has[v] = nil end
  end
  if next(gone) == nil then return end
  local kept = {}
  for _, v in ipairs(l.items) do if not gone[v] then kept[#kept + 1] = v end end
  l.items, l.dirty, changed = kept, true, true
end
-- One cjson call for the whole list; cjson writes an empty table as {}, hence the special case.
local function strings(items)
  if #items == 0 then return '[]' end
  return cjson.encode(items)
end
local function flush(field)
  local l = lists[field]
  if l and l.dirty then fields[field] = strings(l.items) end
  lists[field] = nil
end
local rulesSet = false

for _, op in ipairs(ops) do
  local kind = op.op
  if kind == 'addUsers' then
    add('users', op.users)
    if op.variant then
      local p = pinList()
      for _, id in ipairs(op.users) do
        if p[id] ~= op.variant then p[id], pinsDirty, changed = op.variant, true, true end
      end
    end
  elseif kind == 'removeUsers' then
    remove('users', op.users)
    local p = pinList()
    for _, id in ipairs(op.users) do
      if p[id] then p[id], pinsDirty, changed = nil, true, true end
    end
  elseif kind == 'exclude' then add('excludedUsers', op.users)
  elseif kind == 'include' then remove('excludedUsers', op.users)
  elseif kind == 'addGroups' then add('groups', op.groups)
  elseif kind == 'removeGroups' then remove('groups', op.groups)
  elseif kind == 'set' then
    flush(op.field)
    if fields[op.field] ~= op.json then fields[op.field], changed = op.json, true end
    if op.field == 'rules' then rulesSet = true end
  elseif kind == 'unset' then
    if op.field == 'userVariants' then
      pins, pinsDirty = {}, true
      if fields.userVariants then changed = true end
    elseif fields[op.field] ~= nil then
      fields[op.field], changed = nil, true
    end
  end
end

for _, field in ipairs({'users', 'excludedUsers', 'groups'}) do
  local l = lists[field]
  local limit = field == 'groups' and maxGroups or maxUsers
  if l and #l.items > limit then
    local what = field == 'groups' and ' groups' or ' user ids'
    return {3, field, tostring(#l.items), 'at most ' .. limit .. what}
  end
  flush(field)
end

-- Every name a pin or a rule uses must be one of the feature's variants.
local names, listed = {}, {}
if pinsDirty or rulesSet then
  if fields.variants then
    for _, v in ipairs(cjson.decode(fields.variants)) do
      names[v.name] = true
      listed[#listed + 1] = v.name
    end
  end
end
local why = #listed == 0 and 'the feature has no variants'
  or ('not one of the feature' .. "'" .. 's variants (' .. table.concat(listed, ', ') .. ')')
if rulesSet then
  for i, rule in ipairs(cjson.decode(fields.rules)) do
    if type(rule.variant) == 'string' and not names[rule.variant] then
      return {3, 'rules[' .. (i - 1) .. '].variant', cjson.encode(rule.variant), why}
    end
  end
end
if pinsDirty then
  local users = {}
  for user in pairs(pins) do users[#users + 1] = user end
  table.sort(users)
  local out = {}
  for i, user in ipairs(users) do
    local variant = pins[user]
    if not names[variant] then
      return {3, 'userVariants[' .. (i - 1) .. '].variant', cjson.encode(variant), why}
    end
    out[i] = '{"user":' .. cjson.encode(user) .. ',"variant":' .. cjson.encode(variant) .. '}'
  end
  if #out == 0 then fields.userVariants = nil
  else fields.userVariants = '[' .. table.concat(out, ',') .. ']' end
end

if not changed then return {2, doc} end
local version = tonumber(redis.call('HGET', KEYS[2], name) or '0') + 1
fields.updatedAt = cjson.encode(ARGV[4])
fields.version = string.format('%d', version)
local json = joinObject(fields, order)
redis.call('HSET', KEYS[1], name, json)
redis.call('HSET', KEYS[2], name, version)
local revision = redis.call('INCR', KEYS[3])
record(revision, name, version, created and ARGV[6] or ARGV[7], json, previous, tonumber(ARGV[8]))
redis.call('PUBLISH', ARGV[5], notification(revision, name))
return {1, json}
`;

/** The Lua body of the apply script (the caller prepends `notification` and `record`). */
export const APPLY_SOURCE = SOURCE;

/**
 * ARGV of the apply script: [name, operations JSON (set values and percentages
 * pre-encoded), the record to create or '', now, channel, context when created,
 * context when updated, historyLimit, max users, max groups].
 */
export function applyArgs(
  checked: { name: string; operations: readonly FeatureOperation[]; context: WriteContext },
  options: ApplyOptions,
  channel: string,
  historyLimit: number,
): string[] {
  const { name, operations, context } = checked;
  const now = options.now ?? new Date().toISOString();
  const template = options.create ? JSON.stringify(featureFromInput({ name }, now)) : '';
  return [
    name,
    JSON.stringify(operations.map(encodeOperation)),
    template,
    now,
    channel,
    encodeContext(context, writeAction(context, { expectedVersion: 0 })),
    encodeContext(context, writeAction(context, { expectedVersion: 1 })),
    String(historyLimit),
    String(LIMITS.users),
    String(LIMITS.groups),
  ];
}

// Values the script splices into the record travel as JSON text, never as decoded Lua values.
function encodeOperation(operation: FeatureOperation): unknown {
  if (operation.op === 'set')
    return { op: 'set', field: operation.field, json: JSON.stringify(operation.value) };
  if (operation.op === 'setPercentage')
    return { op: 'set', field: 'percentage', json: JSON.stringify(operation.percentage) };
  return operation;
}
