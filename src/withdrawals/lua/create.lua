-- Creates withdrawal records, each atomically with its idempotency check, payment-hash index,
-- status index, history, batch counters and its `withdrawal.queued` event. One call creates one
-- or many (the requests of one event-loop turn, a batch's items), each exactly as if alone, in order.
-- KEYS, 7 per withdrawal: 1 record, 2 history, 3 payment-hash index, 4 status zset, 5 events,
--   6 batch hash, 7 batch items
-- ARGV, 9 per withdrawal: 1 bodyHash, 2 now ISO, 3 now ms, 4 fields (flat JSON object of strings),
--   5 history entry JSON, 6 events maxlen, 7 has payment hash (1/0), 8 batch id or '', 9 amount msat
-- Returns one reply per withdrawal: { 'created' } | { 'exists' } | { 'conflict' } | { 'invoice_used', other id }
local function create_one(k, a)
  local rec, hist, ph, stset, stream, bkey, bitems = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], KEYS[k + 6], KEYS[k + 7]
  local bodyHash, nowIso, nowMs, fieldsJson, entry, maxlen, hasPh, batchId, amount =
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9]

  local fields = cjson.decode(fieldsJson)
  local existing = redis.call('HGET', rec, 'bodyHash')
  if existing then
    -- Ids are one namespace: another producer's id is a conflict whatever the body.
    if existing == bodyHash and owner_of(rec) == fields['owner'] then return { 'exists' } end
    return { 'conflict' }
  end
  if hasPh == '1' then
    local other = redis.call('GET', ph)
    if other then return { 'invoice_used', other } end
    redis.call('SET', ph, fields['id'])
  end
  local flat = {}
  for key, v in pairs(fields) do
    table.insert(flat, key)
    table.insert(flat, v)
  end
  -- No 'round' field until an operator's first resubmit: every reader takes a missing one as 0, and
  -- a field fewer saves ~56 bytes on each of possibly millions of records.
  redis.call('HSET', rec, 'bodyHash', bodyHash, 'status', 'queued', 'attempts', '0',
    'createdAt', nowIso, 'updatedAt', nowIso, unpack(flat))
  redis.call('RPUSH', hist, entry)
  redis.call('ZADD', stset, nowMs, fields['id'])
  if batchId ~= '' then
    redis.call('HSETNX', bkey, 'owner', fields['owner'] or 'default')
    redis.call('HINCRBY', bkey, 'total', 1)
    redis.call('HINCRBY', bkey, 'n:queued', 1)
    redis.call('HINCRBY', bkey, 'a:queued', amount)
    redis.call('RPUSH', bitems, fields['id'])
  end
  add_event(stream, maxlen, 'withdrawal.queued', nowIso, record_json(rec), fields['owner'] or 'default')
  return { 'created' }
end

local replies = {}
for i = 0, #KEYS / 7 - 1 do
  replies[i + 1] = create_one(i * 7, i * 9)
end
return replies
