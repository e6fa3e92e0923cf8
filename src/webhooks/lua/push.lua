-- Appends events to delivery lanes (one lane per endpoint and withdrawal: a sorted set of event ids, all
-- score 0, so members sort by id = event order) and, for the live fan-out, moves the cursor in the same step.
-- KEYS: 1 dispatcher lock, 2 cursor, 3 lane index (zset laneId -> ms the head last changed),
--       4 waiting counts (hash endpoint id -> live deliveries waiting), 5.. lanes
-- ARGV: 1 lock token or '' (no check), 2 expected cursor or '' (no check), 3 new cursor or '', 4 now ms,
--       5 most live deliveries one endpoint may have waiting (0: no limit),
--       then per lane (in KEYS order): lane id, event id
-- Returns { 'stale' } when the caller is no longer the dispatcher, else { 'ok', ... } with 'h<i>' for each
-- push (1-based) that became its lane's head (each needs a delivery job) and 'd<i>' for each push
-- dropped because its endpoint had the most waiting already (a replay of the events sends them later).
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return { 'stale' } end
if ARGV[2] ~= '' and (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return { 'stale' } end
local cap = tonumber(ARGV[5]) or 0
local out = { 'ok' }
for i = 5, #KEYS do
  local n = i - 4
  local lane_id, event_id = ARGV[4 + 2 * n], ARGV[5 + 2 * n]
  local endpoint, replay = string.match(lane_id, '^([^|]*)|([^|]*)|')
  local live = endpoint ~= nil and replay == ''
  local full = live and cap > 0 and (tonumber(redis.call('HGET', KEYS[4], endpoint) or '0') or 0) >= cap
  if full and redis.call('ZSCORE', KEYS[i], event_id) == false then
    table.insert(out, 'd' .. n)
  else
    local added = redis.call('ZADD', KEYS[i], 'NX', 0, event_id)
    if added == 1 and live then redis.call('HINCRBY', KEYS[4], endpoint, 1) end
    if added == 1 and redis.call('ZCARD', KEYS[i]) == 1 then
      redis.call('ZADD', KEYS[3], ARGV[4], lane_id)
      table.insert(out, 'h' .. n)
    end
  end
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
return out
