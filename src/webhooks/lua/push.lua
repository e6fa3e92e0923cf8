-- Appends events to delivery lanes (one lane per endpoint and withdrawal: a sorted set of event ids, all
-- score 0, so members sort by id = event order) and, for the live fan-out, moves the cursor in the same step.
-- KEYS: 1 dispatcher lock, 2 cursor, 3 lane index (zset laneId -> ms the head last changed), 4.. lanes
-- ARGV: 1 lock token or '' (no check), 2 expected cursor or '' (no check), 3 new cursor or '', 4 now ms,
--       then per lane (in KEYS order): lane id, event id
-- Returns { 'stale' } when the caller is no longer the dispatcher, else { 'ok', i... } with the
-- 1-based positions of the pushes that became their lane's head (each needs a delivery job).
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return { 'stale' } end
if ARGV[2] ~= '' and (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return { 'stale' } end
local out = { 'ok' }
for i = 4, #KEYS do
  local n = i - 3
  local lane_id, event_id = ARGV[3 + 2 * n], ARGV[4 + 2 * n]
  local added = redis.call('ZADD', KEYS[i], 'NX', 0, event_id)
  if added == 1 and redis.call('ZCARD', KEYS[i]) == 1 then
    redis.call('ZADD', KEYS[3], ARGV[4], lane_id)
    table.insert(out, tostring(n))
  end
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
return out
