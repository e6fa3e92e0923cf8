-- Creates withdrawal records, each atomically with its idempotency check, payment-hash index, the
-- producer's daily budget, status index, history, batch counters and its `withdrawal.<status>` event.
-- One call creates one or many (the requests of one event-loop turn, a batch's items), each exactly
-- as if alone, in order. Every input of the call is checked before the first write: a call with one
-- bad item answers an error and writes nothing.
-- KEYS per item: record, history, paymentHash, legacyPaymentHash, statusSet, events, batch, batchItems, dailyBudget, openAddresses, ownerListing, listing
-- ARGV per item: bodyHash, nowIso, nowMs, fields, entry, eventsMaxLen, paymentHashField, batchId, amountMsat, firstStatus, dailyAmountLimit, dailyCountLimit, dailyCreatedQuota, eventsMaxBytes
-- (the layout CREATE in src/withdrawals/script-layouts.ts; a test holds this header to it)
-- paymentHash: the payment-hash index hash holding this one's hash, at paymentHashField ('': none);
--   legacyPaymentHash: the string key that hash was indexed in before (read, never written); statusSet: the first status's zset; dailyBudget: the
--   owner's budget hash for the day; openAddresses: open on-chain addresses (address -> id);
--   ownerListing, listing: the owner's and every owner's listing index (streams, entries `i`: id).
-- fields: a flat JSON object of strings; entry: the history entry JSON;
--   batchId or ''; firstStatus: queued or awaiting_approval; the daily limits or ''; dailyCreatedQuota:
--   QUOTA_DAILY_CREATED or ''. The budget hash's `created` counts every withdrawal created that day
--   and is never given back (transition.lua gives back `amount` and `count` alone).
-- Amounts (the budget's `amount`, the batch's `a:<status>`) are exact decimal strings (decimal.lua).
-- Returns one reply per withdrawal: { 'created' } | { 'exists' } | { 'conflict' } | { 'invoice_used', other id }
--   | { 'address_open', other id } (an on-chain address with a withdrawal not yet final: nothing written)
--   | { 'limit_exceeded', amount used today, count used today } (nothing written)
--   | { 'quota_exceeded', created today } (nothing written)
--   | { 'corrupt', what } (a stored amount or count is no integer: nothing written for it)

local FIRST_STATUS = { queued = true, awaiting_approval = true }
-- A count limit or a stored count stays a small integer, exact as a Lua number.
local function count_valid(s)
  return type(s) == 'string' and #s <= 15 and string.find(s, '^%-?%d+$') ~= nil
end

-- Why the withdrawal at KEYS k+1.., ARGV a+1.. cannot be created as given, or nil with its fields.
local function input_problem(a)
  local nowMs, fieldsJson, entry, maxlen, phField, amount, status, amountLimit, countLimit, quota, maxbytes =
    ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 9], ARGV[a + 10], ARGV[a + 11],
    ARGV[a + 12], ARGV[a + 13], ARGV[a + 14]
  if not msat_valid(amount) then return 'amount' end
  if amountLimit ~= '' and not dec_valid(amountLimit) then return 'amount limit' end
  if countLimit ~= '' and not (count_valid(countLimit) and dec_valid(countLimit)) then return 'count limit' end
  if quota ~= '' and not (count_valid(quota) and dec_valid(quota)) then return 'created quota' end
  if not FIRST_STATUS[status] then return 'status' end
  if not string.find(nowMs, '^%d+$') or not string.find(maxlen, '^%d+$') or not string.find(maxbytes, '^%d+$') then
    return 'times'
  end
  local okFields, fields = pcall(cjson.decode, fieldsJson)
  if not okFields or type(fields) ~= 'table' then return 'fields' end
  for key, v in pairs(fields) do
    if type(key) ~= 'string' or type(v) ~= 'string' then return 'fields' end
  end
  if type(fields['id']) ~= 'string' or fields['id'] == '' then return 'id' end
  -- The index field is the tail of the record's payment hash (the key names the rest).
  local hash = fields['paymentHash']
  if phField ~= '' and (type(hash) ~= 'string' or #phField >= #hash or string.sub(hash, -#phField) ~= phField) then
    return 'payment hash field'
  end
  if not pcall(cjson.decode, entry) then return 'entry' end
  return nil, fields
end

-- The day's budget { amount, count, created } and the batch's counters { a:<status>, total, n:<status>,
-- owner } this item adds to, each read in one command (absent fields false).
local function stored_of(day, bkey, batchId, status)
  local d = redis.call('HMGET', day, 'amount', 'count', 'created')
  local b = {}
  if batchId ~= '' then b = redis.call('HMGET', bkey, 'a:' .. status, 'total', 'n:' .. status, 'owner') end
  return d, b
end

-- What the stored budget and batch counters hold that this script would add to and cannot, or nil.
local function stored_problem(d, b, batchId)
  if d[1] and not dec_valid(d[1]) then return 'daily amount' end
  if d[2] and not count_valid(d[2]) then return 'daily count' end
  if d[3] and not count_valid(d[3]) then return 'daily created' end
  if batchId ~= '' then
    if b[1] and not dec_valid(b[1]) then return 'batch amount' end
    for i = 2, 3 do
      if b[i] and not count_valid(b[i]) then return 'batch count' end
    end
  end
  return nil
end

local function plus_one(n)
  return string.format('%d', tonumber(n or '0') + 1)
end

local function create_one(k, a, fields)
  local rec, hist, ph, legacyPh, stset, stream, bkey, bitems, day, open = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3],
    KEYS[k + 4], KEYS[k + 5], KEYS[k + 6], KEYS[k + 7], KEYS[k + 8], KEYS[k + 9], KEYS[k + 10]
  local ownerList, allList = KEYS[k + 11], KEYS[k + 12]
  local bodyHash, nowIso, nowMs, entry, maxlen, phField, batchId, amount, status, amountLimit, countLimit, quota =
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9],
    ARGV[a + 10], ARGV[a + 11], ARGV[a + 12], ARGV[a + 13]

  -- A record keeps the body hash's first 32 hex digits (body-hash.ts's storedBodyHash); one stored
  -- before keeps all 64.
  local keptHash = string.sub(bodyHash, 1, 32)
  local existing = redis.call('HGET', rec, 'bodyHash')
  if existing then
    -- Ids are one namespace: another producer's id is a conflict whatever the body.
    if (existing == bodyHash or existing == keptHash) and owner_of(rec) == fields['owner'] then return { 'exists' } end
    return { 'conflict' }
  end
  if phField ~= '' then
    local other = redis.call('HGET', ph, phField) or redis.call('GET', legacyPh)
    if other then return { 'invoice_used', other } end
  end
  -- One open withdrawal per on-chain address: TurinPay moves its whole balance to it, so a second
  -- one could only pay twice. transition.lua frees the address when its withdrawal ends.
  local address = fields['address']
  if address then
    local other = redis.call('HGET', open, address)
    if other and other ~= fields['id'] then
      return { 'address_open', other }
    end
  end
  local d, b = stored_of(day, bkey, batchId, status)
  local corrupt = stored_problem(d, b, batchId)
  if corrupt then return { 'corrupt', corrupt } end
  -- The day's budget is counted here, in the step that creates the record: concurrent requests
  -- cannot overshoot. An item over a limit writes nothing.
  local usedAmount, usedCount, created = d[1] or '0', d[2] or '0', d[3] or '0'
  if quota ~= '' and tonumber(created) + 1 > tonumber(quota) then
    return { 'quota_exceeded', created }
  end
  local newAmount = dec_add(usedAmount, amount)
  if (amountLimit ~= '' and dec_cmp(newAmount, amountLimit) > 0)
    or (countLimit ~= '' and tonumber(usedCount) + 1 > tonumber(countLimit)) then
    return { 'limit_exceeded', usedAmount, usedCount }
  end
  redis.call('HSET', day, 'amount', newAmount, 'count', plus_one(usedCount), 'created', plus_one(created))
  -- Two days of budgets are enough to refund a withdrawal cancelled after midnight: set once, when
  -- the day's first create makes the hash (every create counts `created`, so none had it before).
  if not d[3] then redis.call('EXPIRE', day, 3 * 86400) end
  if phField ~= '' then redis.call('HSET', ph, phField, fields['id']) end
  if address then redis.call('HSET', open, address, fields['id']) end
  local flat = {}
  for key, v in pairs(fields) do
    table.insert(flat, key)
    table.insert(flat, v)
  end
  -- No 'round' field until an operator's first resubmit: every reader takes a missing one as 0, and
  -- a field fewer saves ~56 bytes on each of possibly millions of records.
  -- No 'budget' field (the day's budget key): transition.lua names it from the owner and the day of
  -- createdAt, as this script's caller did (records created before hold it, and it is read first).
  redis.call('HSET', rec, 'bodyHash', keptHash, 'status', status, 'attempts', '0',
    'createdAt', nowIso, 'updatedAt', nowIso, unpack(flat))
  redis.call('RPUSH', hist, entry)
  redis.call('ZADD', stset, nowMs, fields['id'])
  -- The listings (GET /v1/withdrawals) page these streams newest first: one entry per withdrawal
  -- (~30 bytes, against ~120 in a sorted set), in the order they were created.
  redis.call('XADD', ownerList, '*', 'i', fields['id'])
  redis.call('XADD', allList, '*', 'i', fields['id'])
  if batchId ~= '' then
    -- The counters read above, each written once (a zero amount adds nothing).
    local counts = { 'total', plus_one(b[2]), 'n:' .. status, plus_one(b[3]) }
    if amount ~= '0' then
      table.insert(counts, 'a:' .. status)
      table.insert(counts, dec_add(b[1] or '0', amount))
    end
    if not b[4] then
      table.insert(counts, 'owner')
      table.insert(counts, fields['owner'] or 'default')
    end
    redis.call('HSET', bkey, unpack(counts))
    redis.call('RPUSH', bitems, fields['id'])
  end
  -- The event's view from what was just written (no read back).
  local view = { status = status, attempts = '0', createdAt = nowIso, updatedAt = nowIso }
  for key, v in pairs(fields) do view[key] = v end
  withdrawal_event(stream, maxlen, ARGV[a + 14], status, nowIso, view)
  return { 'created' }
end

-- KEYS_PER_ITEM and ARGS_PER_ITEM are prepended from the layout (src/withdrawals/scripts.ts).
local n = #KEYS / KEYS_PER_ITEM
if n ~= math.floor(n) or #ARGV ~= ARGS_PER_ITEM * n then
  return redis.error_reply('invalid_input: ' .. KEYS_PER_ITEM .. ' keys and ' .. ARGS_PER_ITEM .. ' arguments per withdrawal')
end
local parsed = {}
for i = 0, n - 1 do
  local problem, fields = input_problem(i * ARGS_PER_ITEM)
  if problem then return redis.error_reply('invalid_input: item ' .. (i + 1) .. ': ' .. problem) end
  parsed[i + 1] = fields
end
local replies = {}
for i = 0, n - 1 do
  replies[i + 1] = create_one(i * KEYS_PER_ITEM, i * ARGS_PER_ITEM, parsed[i + 1])
end
return replies
