import {
  type ApplyOptions,
  type FeatureOperation,
  featureFromInput,
  LIMITS,
  type WriteContext,
} from '@rollout/core';
import { writeAction } from '@rollout/core/store';
import { encodeDocument } from './codec.js';
import { encodeContext } from './history.js';

/*
 * `apply` in one Lua script: read the document, apply the operations, write it back with
 * its version, revision, history entry and notification, all in one atomic step (no
 * other command interleaves), so there is no conflict to retry.
 *
 * The id lists are not in the document (layout 2, id-lists.ts): adding or removing ids
 * is a ZSCORE, ZADD or ZREM per id named, O(log n), however many ids the feature lists;
 * the history entry is compact (documents + the ids really added and removed), and the
 * reply is the outcome, not the record (the client derives it). The document is never
 * decoded and re-encoded whole (json-scanner.ts): only the values an operation edits
 * (groups, pins) are, and values an operation sets come pre-encoded by JavaScript. The
 * semantics are core's `applyOperations`; the conformance suite checks they agree.
 */
const SOURCE = `
if not layoutReady() then return {-1} end
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
-- The id lists live in sorted sets: each operation only records what it does to the ids
-- it names (last word wins), and the sets are written at the end, once every check passed.
-- {cleared = a set op replaced the list, touched = {id -> listed after}, order = ids in turn}
local idLists = {}
local function idList(field)
  if not idLists[field] then idLists[field] = {cleared = false, touched = {}, order = {}} end
  return idLists[field]
end
local function mark(field, ids, value)
  local l = idList(field)
  for _, id in ipairs(ids) do
    if l.touched[id] == nil then l.order[#l.order + 1] = id end
    l.touched[id] = value
  end
end
local function replaceIds(field, ids)
  idLists[field] = {cleared = true, touched = {}, order = {}}
  mark(field, ids, true)
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
    mark('users', op.users, true)
    if op.variant then
      local p = pinList()
      for _, id in ipairs(op.users) do
        if p[id] ~= op.variant then p[id], pinsDirty, changed = op.variant, true, true end
      end
    end
  elseif kind == 'removeUsers' then
    mark('users', op.users, false)
    local p = pinList()
    for _, id in ipairs(op.users) do
      if p[id] then p[id], pinsDirty, changed = nil, true, true end
    end
  elseif kind == 'exclude' then mark('excludedUsers', op.users, true)
  elseif kind == 'include' then mark('excludedUsers', op.users, false)
  elseif kind == 'addGroups' then add('groups', op.groups)
  elseif kind == 'removeGroups' then remove('groups', op.groups)
  elseif kind == 'set' and LIST_KEYS[op.field] then
    replaceIds(op.field, cjson.decode(op.json))
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

do
  local l = lists.groups
  if l and #l.items > maxGroups then
    return {3, 'groups', tostring(#l.items), 'at most ' .. maxGroups .. ' groups'}
  end
  flush('groups')
end

-- What each list's operations really changed: ids added (absent before), removed
-- (listed before); one ZSCORE per id named, or one read of the list a set op replaced.
local changes = {}
for _, field in ipairs(LIST_FIELDS) do
  local l = idLists[field]
  if l then
    local key = LIST_KEYS[field]
    local added, removed = {}, {}
    local count
    if l.cleared then
      local before = {}
      for _, id in ipairs(members(key, name)) do
        before[id] = true
        if not l.touched[id] then removed[#removed + 1] = id end
      end
      count = 0
      for _, id in ipairs(l.order) do
        if l.touched[id] then
          count = count + 1
          if not before[id] then added[#added + 1] = id end
        end
      end
    else
      for _, id in ipairs(l.order) do
        local was = not created and listed(key, name, id)
        if l.touched[id] and not was then added[#added + 1] = id
        elseif was and not l.touched[id] then removed[#removed + 1] = id end
      end
      count = #added == 0 and 0 or redis.call('ZLEXCOUNT', key, lowOf(name), highOf(name))
      count = count + #added - #removed
    end
    if count > maxUsers then
      return {3, field, tostring(count), 'at most ' .. maxUsers .. ' user ids'}
    end
    if #added > 0 or #removed > 0 then changed = true end
    changes[field] = {added = added, removed = removed}
  end
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

local stored = tonumber(redis.call('HGET', KEYS[2], name) or '0')
if not changed then return {2, stored, fields.createdAt} end
local version = stored + 1
for _, field in ipairs(LIST_FIELDS) do
  local c = changes[field]
  if c then
    zrem(LIST_KEYS[field], name, c.removed)
    zadd(LIST_KEYS[field], name, c.added)
  end
end
fields.updatedAt = cjson.encode(ARGV[4])
fields.version = string.format('%d', version)
local json = joinObject(fields, order)
redis.call('HSET', KEYS[1], name, json)
redis.call('HSET', KEYS[2], name, version)
local revision = redis.call('INCR', KEYS[3])
record(revision, name, version, created and ARGV[6] or ARGV[7], deltaBody(json, previous, changes),
  tonumber(ARGV[8]))
redis.call('PUBLISH', ARGV[5], notification(revision, name, version))
return {1, version, fields.createdAt, revision}
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
  const template = options.create ? encodeDocument(featureFromInput({ name }, now)) : '';
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
