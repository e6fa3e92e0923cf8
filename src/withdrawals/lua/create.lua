-- Creates a withdrawal record atomically with its idempotency check, payment-hash index,
-- status index, history, batch counters and its `withdrawal.queued` event.
-- KEYS: 1 record, 2 history, 3 payment-hash index, 4 status zset, 5 events, 6 batch hash, 7 batch items
-- ARGV: 1 bodyHash, 2 now ISO, 3 now ms, 4 fields (flat JSON object of strings),
--       5 history entry JSON, 6 events maxlen, 7 has payment hash (1/0), 8 batch id or '', 9 amount msat
local rec, hist, ph, stset, stream, bkey, bitems = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

local existing = redis.call('HGET', rec, 'bodyHash')
if existing then
  if existing == ARGV[1] then return { 'exists' } end
  return { 'conflict' }
end
local fields = cjson.decode(ARGV[4])
if ARGV[7] == '1' then
  local other = redis.call('GET', ph)
  if other then return { 'invoice_used', other } end
  redis.call('SET', ph, fields['id'])
end
local flat = {}
for k, v in pairs(fields) do
  table.insert(flat, k)
  table.insert(flat, v)
end
-- No 'round' field until an operator's first resubmit: every reader takes a missing one as 0, and
-- a field fewer saves ~56 bytes on each of possibly millions of records.
redis.call('HSET', rec, 'bodyHash', ARGV[1], 'status', 'queued', 'attempts', '0',
  'createdAt', ARGV[2], 'updatedAt', ARGV[2], unpack(flat))
redis.call('RPUSH', hist, ARGV[5])
redis.call('ZADD', stset, ARGV[3], fields['id'])
if ARGV[8] ~= '' then
  redis.call('HINCRBY', bkey, 'total', 1)
  redis.call('HINCRBY', bkey, 'n:queued', 1)
  redis.call('HINCRBY', bkey, 'a:queued', ARGV[9])
  redis.call('RPUSH', bitems, fields['id'])
end
add_event(stream, ARGV[6], 'withdrawal.queued', ARGV[2], record_json(rec))
return { 'created' }
