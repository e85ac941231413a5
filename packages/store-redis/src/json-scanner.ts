/*
 * Lua: a scanner that splits a JSON object's top level into raw JSON values without
 * decoding them. cjson would turn `[]` into `{}` and round numbers in `data` and variant
 * values to 14 digits, so scripts never decode a whole record: they split it, decode only
 * the values they edit (strings and string lists, which cjson round-trips exactly), and
 * splice every other value back as the very text it was.
 *   skipString(s, i)    index after the string starting at i
 *   skipValue(s, i)     index after the value starting at i
 *   splitObject(s)      fields (key -> raw JSON), order (keys as they came)
 *   joinObject(f, o)    the object again, keys in `o`'s order, new keys last
 */

/** The Lua source of the scanner (prepended to the scripts that use it). */
export const JSON_SCANNER = `
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
`;
