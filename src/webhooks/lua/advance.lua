-- A lane's head was delivered or given up on: removes it (only if it is still the head, so a duplicate
-- job cannot skip an event) and returns the new head, or nothing when the lane is empty.
-- KEYS: 1 lane, 2 lane index, 3 waiting counts (hash endpoint id -> live deliveries waiting).
-- ARGV: 1 lane id, 2 event id, 3 now ms
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if head == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[2])
  local endpoint, replay = string.match(ARGV[1], '^([^|]*)|([^|]*)|')
  if endpoint ~= nil and replay == '' then
    if redis.call('HINCRBY', KEYS[3], endpoint, -1) <= 0 then redis.call('HDEL', KEYS[3], endpoint) end
  end
  head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
end
if not head then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return false
end
return head
