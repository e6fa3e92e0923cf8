-- Compare-and-set of a withdrawal's status, checked against the one table of allowed transitions
-- (ALLOWED, generated from src/withdrawals/status.ts and prepended), written with its history
-- entry, status index, batch counters and event in one step. Every input is checked before the
-- first write: a refused or erroring call changes nothing.
-- KEYS: record, history, events, batch, fromSet, toSet, approvals, openAddresses
-- ARGV: from, to, fence, nowIso, nowMs, updates, entry, eventsMaxLen, newFence, countAttempt, newRound, provider, strictProvider, batchId, historyRetentionMs, eventsMaxBytes, round
-- (the layout TRANSITION in src/withdrawals/script-layouts.ts; a test holds this header to it)
-- updates: a JSON object of strings; a null or false value deletes the field.
-- provider and batchId: what the caller built the status-set and batch keys for; with strictProvider
-- '1' the record must be routed to that provider (a submit's fence carries its provider).
-- round: the round the caller read ('' for any): a record in another round is a 'conflict' (a submit's
-- fence carries its round, so what it read of an earlier round never pays in a later one).
-- Returns { 'ok' } | { 'missing' } | { 'illegal', status } | { 'invalid_input', what } | { 'stale_keys', status }
--   | { 'wrong_provider', status, provider } | { 'conflict', status } | { 'fenced', status } | { 'unapproved', status }
local rec, hist, stream, bkey, fromset, toset, approvals, openAddresses = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5],
  KEYS[6], KEYS[7], KEYS[8]
local from, to, fence, nowIso, nowMs, updatesJson, entry, maxlen, newFence, countAttempt, newRound, provider, strict,
  batchId, retention, maxbytes, round = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9],
  ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15], ARGV[16], ARGV[17]

-- The table, whatever the caller passes: final statuses have no edges, so they are never left.
if not ALLOWED[from] or not ALLOWED[from][to] then return { 'illegal', from } end

-- Input, before anything is written.
if not string.match(nowMs, '^%d+$') or not string.match(retention, '^%d+$') or not string.match(maxlen, '^%d+$')
  or not string.match(maxbytes, '^%d+$') or not string.match(round, '^%d*$') then
  return { 'invalid_input', 'times' }
end
local okJson, updates = pcall(cjson.decode, updatesJson)
if not okJson or type(updates) ~= 'table' then return { 'invalid_input', 'updates' } end
local PROTECTED = { id = true, owner = true, status = true, fence = true, bodyHash = true, budget = true, batchId = true,
  round = true, attempts = true, createdAt = true, updatedAt = true, approvalsNeeded = true, invoice = true,
  paymentHash = true, address = true, lightningAddress = true, descriptionHashMatches = true, description = true,
  metadata = true, job = true }
for k, v in pairs(updates) do
  if type(k) ~= 'string' or PROTECTED[k] then return { 'invalid_input', tostring(k) } end
  if v ~= cjson.null and v ~= false and type(v) ~= 'string' then return { 'invalid_input', k } end
end
for _, name in ipairs({ 'amountMsat', 'feeMsat' }) do
  local v = updates[name]
  if type(v) == 'string' and not msat_valid(v) then return { 'invalid_input', name } end
end
if updates['amountMsat'] == cjson.null or updates['amountMsat'] == false then return { 'invalid_input', 'amountMsat' } end
if updates['providerRef'] == REF_IS_HASH then return { 'invalid_input', 'providerRef' } end
local okEntry = pcall(cjson.decode, entry)
if not okEntry then return { 'invalid_input', 'entry' } end

-- The record as it stands, read once: what the checks need, and the event's view after the writes.
local CUR = { 'status', 'fence', 'batchId', 'amountMsat', 'id', 'provider', 'approvalsNeeded', 'address', 'budget', 'round' }
local CUR_N = #CUR
local names = {}
for i, name in ipairs(CUR) do names[i] = name end
for _, name in ipairs(VIEW_FIELDS) do table.insert(names, name) end
local got = redis.call('HMGET', rec, unpack(names))
local cur = {}
for i = 1, CUR_N do cur[i] = got[i] or nil end
local view = {}
for i, name in ipairs(VIEW_FIELDS) do
  if got[CUR_N + i] then view[name] = got[CUR_N + i] end
end
if not cur[1] then return { 'missing' } end
if cur[6] ~= provider then
  if strict == '1' then return { 'wrong_provider', cur[1], cur[6] or '' } end
  -- The caller named the status sets from what it believed: never write the wrong ones.
  return { 'stale_keys', cur[1] }
end
if (cur[3] or '') ~= batchId then return { 'stale_keys', cur[1] } end
-- The same fence write again (a client resends a command whose reply a dying Redis never sent):
-- the attempt token is this caller's alone, so the record is already as it asks.
if newFence ~= '' and cur[1] == to and cur[2] == newFence then return { 'ok' } end
if cur[1] ~= from then return { 'conflict', cur[1] } end
if round ~= '' and (tonumber(cur[10] or '0') or 0) ~= tonumber(round) then return { 'conflict', cur[1] } end
if fence ~= '' and cur[2] ~= fence then return { 'fenced', cur[1] } end
-- Policy holds at the fence: a withdrawal that needs approvals is never submitted without them.
if from == 'queued' and to == 'submitting' then
  local need = tonumber(cur[7] or '0') or 0
  if need > 0 and redis.call('SCARD', approvals) < need then return { 'unapproved', cur[1] } end
end
local oldAmount = cur[4] or '0'
if not msat_valid(oldAmount) then return { 'invalid_input', 'stored amountMsat' } end
-- An on-chain withdrawal learns its amount from the provider (what it moved).
local newAmount = oldAmount
if type(updates['amountMsat']) == 'string' then newAmount = updates['amountMsat'] end
-- The day's budget the create counted it in: the record's own key prefix, its owner and the UTC day
-- of createdAt (keys.dailyBudget); a record created before that was derived names it in 'budget'.
local day = cur[9]
if not day and cur[5] and view['createdAt'] then
  day = string.sub(rec, 1, #rec - #cur[5] - 3) .. ':day:' .. (view['owner'] or 'default') .. ':' .. string.sub(view['createdAt'], 1, 10)
end
-- The day's budget changes only for an amount learned late or given back: read it only then. It is
-- kept two days (create.lua); an expired one has no amount to give back.
local givesBack = to == 'cancelled' or to == 'failed'
local learns = newAmount ~= oldAmount and oldAmount == '0'
local dayAmount = day and (givesBack or learns) and redis.call('HGET', day, 'amount') or nil
if dayAmount and not dec_valid(dayAmount) then return { 'invalid_input', 'stored daily amount' } end
local inBatch = cur[3] and cur[3] ~= ''
local counters = {}
if inBatch then
  counters = redis.call('HMGET', bkey, 'a:' .. from, 'a:' .. to, 'n:' .. from, 'n:' .. to)
  if not (dec_valid(counters[1] or '0') and dec_valid(counters[2] or '0')) then
    return { 'invalid_input', 'stored batch amount' }
  end
end
-- The record's writes: one HSET, and one HDEL for the fields dropped.
local sets, dels = { 'status', to, 'updatedAt', nowIso }, {}
view['status'], view['updatedAt'] = to, nowIso
for k, v in pairs(updates) do
  if v == cjson.null or v == false then
    table.insert(dels, k)
    view[k] = nil
  else
    table.insert(sets, k)
    -- A reference that is the payment hash is stored as REF_IS_HASH: 64 bytes fewer on each record.
    if k == 'providerRef' and v == view['paymentHash'] then table.insert(sets, REF_IS_HASH) else table.insert(sets, v) end
    view[k] = v
  end
end
if newFence ~= '' then
  table.insert(sets, 'fence')
  table.insert(sets, newFence)
end
if countAttempt == '1' then
  view['attempts'] = string.format('%d', (tonumber(view['attempts'] or '0') or 0) + 1)
  table.insert(sets, 'attempts')
  table.insert(sets, view['attempts'])
end
if newRound == '1' then
  table.insert(sets, 'round')
  table.insert(sets, string.format('%d', (tonumber(cur[10] or '0') or 0) + 1))
end
if FINAL[to] then
  -- Nothing ever leaves a final status: its attempt token, reconciliation deadline and batch part's
  -- job are dead weight, and its history is kept only for the configured retention (the record itself stays).
  table.insert(dels, 'fence')
  table.insert(dels, 'reconcileDeadline')
  table.insert(dels, 'job')
end
redis.call('HSET', rec, unpack(sets))
if #dels > 0 then redis.call('HDEL', rec, unpack(dels)) end
redis.call('RPUSH', hist, entry)
if FINAL[to] then
  if tonumber(retention) > 0 then redis.call('PEXPIRE', hist, retention) end
  -- An address may take a new on-chain withdrawal once this one is over.
  if cur[8] and redis.call('HGET', openAddresses, cur[8]) == cur[5] then redis.call('HDEL', openAddresses, cur[8]) end
end
-- The owner's daily budget (interface.md, "Approvals, limits and routing"): an amount learned late
-- (on-chain) is counted when learned; a cancelled or failed withdrawal gives its amount back, while
-- that day's budget is still kept. Amounts are exact decimal strings.
if dayAmount then
  local usedAmount = dayAmount
  if learns then usedAmount = dec_add(usedAmount, newAmount) end
  if givesBack then
    redis.call('HSET', day, 'amount', dec_sub_floor(usedAmount, newAmount))
    redis.call('HINCRBY', day, 'count', -1)
  elseif usedAmount ~= dayAmount then
    redis.call('HSET', day, 'amount', usedAmount)
  end
end
-- The status indexes (ALLOWED has no edge out of a final status, so fromset is always a zset): a
-- final status's index only grows, so it is a stream, an entry a few bytes long.
redis.call('ZREM', fromset, cur[5])
if FINAL[to] then
  redis.call('XADD', toset, '*', 'i', cur[5])
else
  redis.call('ZADD', toset, nowMs, cur[5])
end

if inBatch then
  -- The counters read above, each written once (a zero amount moves nothing).
  local moved = { 'n:' .. from, string.format('%d', (tonumber(counters[3] or '0') or 0) - 1),
    'n:' .. to, string.format('%d', (tonumber(counters[4] or '0') or 0) + 1) }
  if oldAmount ~= '0' then
    table.insert(moved, 'a:' .. from)
    table.insert(moved, dec_sub_floor(counters[1] or '0', oldAmount))
  end
  if newAmount ~= '0' then
    table.insert(moved, 'a:' .. to)
    table.insert(moved, dec_add(counters[2] or '0', newAmount))
  end
  redis.call('HSET', bkey, unpack(moved))
end
withdrawal_event(stream, maxlen, maxbytes, to, nowIso, view)
-- Only a move to a status the batch counts as terminal can be its last item's: no other move reads for it.
if inBatch and BATCH_TERMINAL[to] then maybe_batch_done(bkey, stream, maxlen, maxbytes, nowIso) end
return { 'ok' }
