-- Marks a batch as complete (no more items will join it) and emits batch.done if already done.
-- KEYS: batch, events
-- ARGV: batchId, nowIso, eventsMaxLen, createdAt, eventsMaxBytes
local bkey, stream = KEYS[1], KEYS[2]
redis.call('HSETNX', bkey, 'id', ARGV[1])
redis.call('HSETNX', bkey, 'createdAt', ARGV[4])
redis.call('HSETNX', bkey, 'total', 0)
redis.call('HSET', bkey, 'sealed', '1')
maybe_batch_done(bkey, stream, ARGV[3], ARGV[5], ARGV[2])
return { 'ok' }
