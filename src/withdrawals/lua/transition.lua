-- Compare-and-set of a withdrawal's status, checked against the allowed transitions,
-- written with its history entry, status index, batch counters and event in one step.
-- KEYS: 1 record, 2 history, 3 events, 4 batch hash, 5 from-status zset, 6 to-status zset
-- ARGV: 1 expected from, 2 to, 3 expected fence or '', 4 now ISO, 5 now ms,
--       6 updates (JSON object; false/null value deletes the field), 7 history entry JSON,
--       8 events maxlen, 9 allowed targets of `from` (comma-separated), 10 new fence or '',
--       11 '1' to count an attempt, 12 '1' to start a new round,
--       13 provider and 14 batch id ('' for none) the keys were built for,
--       15 how long the history outlives a final status, in ms ('0': kept)
local rec, hist, stream, bkey, fromset, toset = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local from, to = ARGV[1], ARGV[2]

local cur = redis.call('HMGET', rec, 'status', 'fence', 'batchId', 'amountMsat', 'id', 'provider')
if not cur[1] then return { 'missing' } end
-- The caller named the status sets and batch hash from what it believed; never write the wrong ones.
if cur[6] ~= ARGV[13] or (cur[3] or '') ~= ARGV[14] then return { 'stale_keys', cur[1] } end
if cur[1] ~= from then return { 'conflict', cur[1] } end
if ARGV[3] ~= '' and cur[2] ~= ARGV[3] then return { 'fenced', cur[1] } end
local allowed = false
for target in string.gmatch(ARGV[9], '[^,]+') do
  if target == to then allowed = true end
end
if not allowed then return { 'illegal', cur[1] } end

local updates = cjson.decode(ARGV[6])
-- An on-chain withdrawal learns its amount from the provider (what it moved): the batch's amounts
-- move the old amount out of `from` and the new one into `to`.
local oldAmount = cur[4] or '0'
local newAmount = oldAmount
if type(updates['amountMsat']) == 'string' then newAmount = updates['amountMsat'] end
for k, v in pairs(updates) do
  if v == cjson.null or v == false then
    redis.call('HDEL', rec, k)
  else
    redis.call('HSET', rec, k, v)
  end
end
redis.call('HSET', rec, 'status', to, 'updatedAt', ARGV[4])
if ARGV[10] ~= '' then redis.call('HSET', rec, 'fence', ARGV[10]) end
if ARGV[11] == '1' then redis.call('HINCRBY', rec, 'attempts', 1) end
if ARGV[12] == '1' then redis.call('HINCRBY', rec, 'round', 1) end
redis.call('RPUSH', hist, ARGV[7])
if FINAL[to] then
  -- Nothing ever leaves a final status: its attempt token and reconciliation deadline are dead
  -- weight, and its history is kept only for the configured retention (the record itself stays).
  redis.call('HDEL', rec, 'fence', 'reconcileDeadline')
  if tonumber(ARGV[15]) > 0 then redis.call('PEXPIRE', hist, ARGV[15]) end
end
-- The owner's daily budget (interface.md, "Approvals, limits and routing"): an amount learned late
-- (on-chain) is counted when learned; a cancelled or failed withdrawal gives its amount back, while
-- that day's budget is still kept.
local day = redis.call('HGET', rec, 'budget')
if day and redis.call('EXISTS', day) == 1 then
  if newAmount ~= oldAmount and oldAmount == '0' then redis.call('HINCRBY', day, 'amount', newAmount) end
  if to == 'cancelled' or to == 'failed' then
    if newAmount ~= '0' then redis.call('HINCRBY', day, 'amount', '-' .. newAmount) end
    redis.call('HINCRBY', day, 'count', -1)
  end
end
redis.call('ZREM', fromset, cur[5])
redis.call('ZADD', toset, ARGV[5], cur[5])

if cur[3] and cur[3] ~= '' then
  redis.call('HINCRBY', bkey, 'n:' .. from, -1)
  redis.call('HINCRBY', bkey, 'n:' .. to, 1)
  if oldAmount ~= '0' then redis.call('HINCRBY', bkey, 'a:' .. from, '-' .. oldAmount) end
  if newAmount ~= '0' then redis.call('HINCRBY', bkey, 'a:' .. to, newAmount) end
end
add_event(stream, ARGV[8], 'withdrawal.' .. to, ARGV[4], record_json(rec), owner_of(rec))
if cur[3] and cur[3] ~= '' then maybe_batch_done(bkey, stream, ARGV[8], ARGV[4]) end
return { 'ok' }
