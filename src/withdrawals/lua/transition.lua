-- Compare-and-set of a withdrawal's status, checked against the one table of allowed transitions
-- (ALLOWED, generated from src/withdrawals/status.ts and prepended), written with its history
-- entry, status index, batch counters and event in one step. Every input is checked before the
-- first write: a refused or erroring call changes nothing.
-- KEYS: record, history, events, batch, fromSet, toSet, approvals, openAddresses
-- ARGV: from, to, fence, nowIso, nowMs, updates, entry, eventsMaxLen, newFence, countAttempt, newRound, provider, strictProvider, batchId, historyRetentionMs
-- (the layout TRANSITION in src/withdrawals/script-layouts.ts; a test holds this header to it)
-- updates: a JSON object of strings; a null or false value deletes the field.
-- provider and batchId: what the caller built the status-set and batch keys for; with strictProvider
-- '1' the record must be routed to that provider (a submit's fence carries its provider).
-- Returns { 'ok' } | { 'missing' } | { 'illegal', status } | { 'invalid_input', what } | { 'stale_keys', status }
--   | { 'wrong_provider', status, provider } | { 'conflict', status } | { 'fenced', status } | { 'unapproved', status }
local rec, hist, stream, bkey, fromset, toset, approvals, openAddresses = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5],
  KEYS[6], KEYS[7], KEYS[8]
local from, to, fence, nowIso, nowMs, updatesJson, entry, maxlen, newFence, countAttempt, newRound, provider, strict,
  batchId, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10],
  ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15]

-- The table, whatever the caller passes: final statuses have no edges, so they are never left.
if not ALLOWED[from] or not ALLOWED[from][to] then return { 'illegal', from } end

-- Input, before anything is written.
if not string.match(nowMs, '^%d+$') or not string.match(retention, '^%d+$') or not string.match(maxlen, '^%d+$') then
  return { 'invalid_input', 'times' }
end
local okJson, updates = pcall(cjson.decode, updatesJson)
if not okJson or type(updates) ~= 'table' then return { 'invalid_input', 'updates' } end
local PROTECTED = { id = true, owner = true, status = true, fence = true, bodyHash = true, budget = true, batchId = true,
  round = true, attempts = true, createdAt = true, updatedAt = true, approvalsNeeded = true, invoice = true,
  paymentHash = true, address = true, lightningAddress = true, descriptionHashMatches = true }
for k, v in pairs(updates) do
  if type(k) ~= 'string' or PROTECTED[k] then return { 'invalid_input', tostring(k) } end
  if v ~= cjson.null and v ~= false and type(v) ~= 'string' then return { 'invalid_input', k } end
end
for _, name in ipairs({ 'amountMsat', 'feeMsat' }) do
  local v = updates[name]
  if type(v) == 'string' and not msat_valid(v) then return { 'invalid_input', name } end
end
if updates['amountMsat'] == cjson.null or updates['amountMsat'] == false then return { 'invalid_input', 'amountMsat' } end
local okEntry = pcall(cjson.decode, entry)
if not okEntry then return { 'invalid_input', 'entry' } end

local cur = redis.call('HMGET', rec, 'status', 'fence', 'batchId', 'amountMsat', 'id', 'provider', 'approvalsNeeded', 'address')
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
if fence ~= '' and cur[2] ~= fence then return { 'fenced', cur[1] } end
-- Policy holds at the fence: a withdrawal that needs approvals is never submitted without them.
if from == 'queued' and to == 'submitting' then
  local need = tonumber(cur[7] or '0') or 0
  if need > 0 and redis.call('SCARD', approvals) < need then return { 'unapproved', cur[1] } end
end
local oldAmount = cur[4] or '0'
if not msat_valid(oldAmount) then return { 'invalid_input', 'stored amountMsat' } end
local day = redis.call('HGET', rec, 'budget')
local dayKept = day and redis.call('EXISTS', day) == 1
if dayKept and not dec_hvalid(day, 'amount') then return { 'invalid_input', 'stored daily amount' } end
if cur[3] and cur[3] ~= '' and not (dec_hvalid(bkey, 'a:' .. from) and dec_hvalid(bkey, 'a:' .. to)) then
  return { 'invalid_input', 'stored batch amount' }
end
-- An on-chain withdrawal learns its amount from the provider (what it moved).
local newAmount = oldAmount
if type(updates['amountMsat']) == 'string' then newAmount = updates['amountMsat'] end

for k, v in pairs(updates) do
  if v == cjson.null or v == false then
    redis.call('HDEL', rec, k)
  else
    redis.call('HSET', rec, k, v)
  end
end
redis.call('HSET', rec, 'status', to, 'updatedAt', nowIso)
if newFence ~= '' then redis.call('HSET', rec, 'fence', newFence) end
if countAttempt == '1' then redis.call('HINCRBY', rec, 'attempts', 1) end
if newRound == '1' then redis.call('HINCRBY', rec, 'round', 1) end
redis.call('RPUSH', hist, entry)
if FINAL[to] then
  -- Nothing ever leaves a final status: its attempt token and reconciliation deadline are dead
  -- weight, and its history is kept only for the configured retention (the record itself stays).
  redis.call('HDEL', rec, 'fence', 'reconcileDeadline')
  if tonumber(retention) > 0 then redis.call('PEXPIRE', hist, retention) end
  -- An address may take a new on-chain withdrawal once this one is over.
  if cur[8] and redis.call('HGET', openAddresses, cur[8]) == cur[5] then redis.call('HDEL', openAddresses, cur[8]) end
end
-- The owner's daily budget (interface.md, "Approvals, limits and routing"): an amount learned late
-- (on-chain) is counted when learned; a cancelled or failed withdrawal gives its amount back, while
-- that day's budget is still kept. Amounts are exact decimal strings.
if dayKept then
  if newAmount ~= oldAmount and oldAmount == '0' then dec_hadd(day, 'amount', newAmount) end
  if to == 'cancelled' or to == 'failed' then
    dec_hsub(day, 'amount', newAmount)
    redis.call('HINCRBY', day, 'count', -1)
  end
end
redis.call('ZREM', fromset, cur[5])
redis.call('ZADD', toset, nowMs, cur[5])

if cur[3] and cur[3] ~= '' then
  redis.call('HINCRBY', bkey, 'n:' .. from, -1)
  redis.call('HINCRBY', bkey, 'n:' .. to, 1)
  dec_hsub(bkey, 'a:' .. from, oldAmount)
  dec_hadd(bkey, 'a:' .. to, newAmount)
end
add_event(stream, maxlen, 'withdrawal.' .. to, nowIso, record_json(rec), owner_of(rec))
if cur[3] and cur[3] ~= '' then maybe_batch_done(bkey, stream, maxlen, nowIso) end
return { 'ok' }
