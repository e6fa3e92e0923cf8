-- Marks a batch as complete (no more items will join it) and emits batch.done if already done.
-- KEYS: 1 batch hash, 2 events. ARGV: 1 batch id, 2 now ISO, 3 events maxlen, 4 createdAt ISO
local bkey, stream = KEYS[1], KEYS[2]
redis.call('HSETNX', bkey, 'id', ARGV[1])
redis.call('HSETNX', bkey, 'createdAt', ARGV[4])
redis.call('HSETNX', bkey, 'total', 0)
redis.call('HSET', bkey, 'sealed', '1')
maybe_batch_done(bkey, stream, ARGV[3], ARGV[2])
return { 'ok' }
