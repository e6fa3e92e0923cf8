-- Moves a provider's circuit breaker from one state to another only if it is still in the first
-- (compare-and-set): two processes that read the same state and decide differently (a probe's
-- success closing it, a late failure of an older submit re-opening it) cannot both win, so the
-- state and the queue's pause, written after it, always agree.
-- KEYS: 1 the breaker's hash. ARGV: 1 the state it must be in ('closed' also matches none), then
-- field, value pairs to write. Returns 1 when written, 0 when the state had changed.
local s = redis.call('HGET', KEYS[1], 'state') or 'closed'
if s ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
