-- Creates withdrawal records, each atomically with its idempotency check, payment-hash index, the
-- producer's daily budget, status index, history, batch counters and its `withdrawal.<status>` event.
-- One call creates one or many (the requests of one event-loop turn, a batch's items), each exactly
-- as if alone, in order.
-- KEYS, 8 per withdrawal: 1 record, 2 history, 3 payment-hash index, 4 status zset, 5 events,
--   6 batch hash, 7 batch items, 8 the owner's daily budget hash
-- ARGV, 12 per withdrawal: 1 bodyHash, 2 now ISO, 3 now ms, 4 fields (flat JSON object of strings),
--   5 history entry JSON, 6 events maxlen, 7 has payment hash (1/0), 8 batch id or '', 9 amount msat,
--   10 first status (queued or awaiting_approval), 11 daily amount limit or '', 12 daily count limit or ''
-- Returns one reply per withdrawal: { 'created' } | { 'exists' } | { 'conflict' } | { 'invoice_used', other id }
--   | { 'limit_exceeded', amount used today, count used today } (nothing written)

-- Is the digit string a greater than b? Amounts pass 2^53, where Lua's numbers lose digits.
local function digits_gt(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end

local function create_one(k, a)
  local rec, hist, ph, stset, stream, bkey, bitems, day = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5],
    KEYS[k + 6], KEYS[k + 7], KEYS[k + 8]
  local bodyHash, nowIso, nowMs, fieldsJson, entry, maxlen, hasPh, batchId, amount, status, amountLimit, countLimit =
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9],
    ARGV[a + 10], ARGV[a + 11], ARGV[a + 12]

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
  end
  -- The day's budget is counted here, in the step that creates the record: concurrent requests
  -- cannot overshoot. HINCRBY is exact to 2^63 (two amounts of at most 21 million BTC fit); an
  -- item over a limit is taken back at once, inside this script, and nothing else is written.
  local usedAmount = tostring(redis.call('HINCRBY', day, 'amount', amount))
  local usedCount = redis.call('HINCRBY', day, 'count', 1)
  if (amountLimit ~= '' and digits_gt(usedAmount, amountLimit)) or (countLimit ~= '' and usedCount > tonumber(countLimit)) then
    -- ('-0' is no integer to Redis.)
    local before = amount == '0' and usedAmount or tostring(redis.call('HINCRBY', day, 'amount', '-' .. amount))
    local beforeCount = redis.call('HINCRBY', day, 'count', -1)
    return { 'limit_exceeded', before, tostring(beforeCount) }
  end
  -- Two days of budgets are enough to refund a withdrawal cancelled after midnight.
  redis.call('EXPIRE', day, 3 * 86400)
  if hasPh == '1' then redis.call('SET', ph, fields['id']) end
  local flat = {}
  for key, v in pairs(fields) do
    table.insert(flat, key)
    table.insert(flat, v)
  end
  -- No 'round' field until an operator's first resubmit: every reader takes a missing one as 0, and
  -- a field fewer saves ~56 bytes on each of possibly millions of records.
  redis.call('HSET', rec, 'bodyHash', bodyHash, 'status', status, 'attempts', '0',
    'createdAt', nowIso, 'updatedAt', nowIso, 'budget', day, unpack(flat))
  redis.call('RPUSH', hist, entry)
  redis.call('ZADD', stset, nowMs, fields['id'])
  if batchId ~= '' then
    redis.call('HSETNX', bkey, 'owner', fields['owner'] or 'default')
    redis.call('HINCRBY', bkey, 'total', 1)
    redis.call('HINCRBY', bkey, 'n:' .. status, 1)
    redis.call('HINCRBY', bkey, 'a:' .. status, amount)
    redis.call('RPUSH', bitems, fields['id'])
  end
  add_event(stream, maxlen, 'withdrawal.' .. status, nowIso, record_json(rec), fields['owner'] or 'default')
  return { 'created' }
end

local replies = {}
for i = 0, #KEYS / 8 - 1 do
  replies[i + 1] = create_one(i * 8, i * 12)
end
return replies
