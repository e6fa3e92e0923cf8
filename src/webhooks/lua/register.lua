-- Stores a new endpoint unless its owner already has as many as allowed: counted and stored in one step,
-- so concurrent registrations cannot overshoot. Endpoints are few; counting reads them all. An endpoint
-- stored without `owner`/`ownerRole` belongs to the producer 'default' (as storedEndpointSchema reads it).
-- KEYS: 1 endpoints hash (id -> JSON)
-- ARGV: 1 endpoint id, 2 endpoint JSON, 3 owner name, 4 owner role, 5 most endpoints per owner
-- Returns 1 when stored, 0 when the owner is at its limit (nothing stored).
local count = 0
for _, raw in ipairs(redis.call('HVALS', KEYS[1])) do
  local ok, e = pcall(cjson.decode, raw)
  if ok and type(e) == 'table' then
    local owner = type(e.owner) == 'string' and e.owner ~= '' and e.owner or 'default'
    local role = type(e.ownerRole) == 'string' and e.ownerRole or 'producer'
    if owner == ARGV[3] and role == ARGV[4] then count = count + 1 end
  end
end
if count >= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
