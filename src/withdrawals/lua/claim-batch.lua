-- Claims a batch id for a producer: the first one to use it owns the batch. A batch made before
-- owners existed (a hash without one) belongs to 'default'.
-- KEYS: batch
-- ARGV: owner
-- Returns the batch's owner.
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then return owner end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'default' end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
return ARGV[1]
