import { LAYOUT_VERSION } from './layout.js';

/*
 * Migration to layout 2 (ids in sorted sets beside the documents), run by the first
 * script that finds the layout key missing or older (every script checks it first).
 * One script: atomic, so two processes connecting at once cannot both migrate; the
 * second finds the key set and does nothing. Each document whose lists are still JSON
 * arrays (layout 1) gets its ids moved into the sets and the marker in their place; a
 * document already of layout 2 is left as it is, so running it on data of mixed layouts
 * (a layout-1 process wrote after a flush) is safe too. History entries are not
 * rewritten: entries of layout 1 hold whole records, which history reads as they are.
 * A document that is not a JSON object is left alone (reading it reports it corrupt).
 * Cost: one pass over every document and id, blocking Redis meanwhile (about a second
 * per million ids); it runs once per data set.
 *
 * Returns the number of documents moved.
 */
export const MIGRATE_SOURCE = `
if layoutReady() then return 0 end
local flat = redis.call('HGETALL', KEYS[1])
local moved = 0
for i = 1, #flat, 2 do
  local name, doc = flat[i], flat[i + 1]
  -- A document the scanner cannot read stays as it is: reading it reports it corrupt.
  local ok, fields, order = pcall(splitObject, doc)
  local changed = false
  for _, field in ipairs(ok and LIST_FIELDS or {}) do
    local raw = fields[field]
    if raw ~= MARKER then
      -- Absent (an old hand-written record) is an empty list, as parseFeature reads it.
      if raw ~= nil and string.sub(raw, 1, 1) == '[' and raw ~= '[]' then
        zadd(LIST_KEYS[field], name, cjson.decode(raw))
      end
      if raw == nil then order[#order + 1] = field end
      fields[field], changed = MARKER, true
    end
  end
  if changed then
    redis.call('HSET', KEYS[1], name, joinObject(fields, order))
    moved = moved + 1
  end
end
redis.call('SET', KEYS[9], '${LAYOUT_VERSION}')
return moved
`;
