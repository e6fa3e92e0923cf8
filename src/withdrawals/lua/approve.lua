-- One operator's approval of a withdrawal held in `awaiting_approval`. The approval is recorded
-- (history entry and a `withdrawal.awaiting_approval` event) and, when it is the last one needed,
-- the withdrawal moves to `queued` in this same step (history, status index, batch counters and a
-- `withdrawal.queued` event). An operator counts once; the operator who created it does not count.
-- KEYS: record, history, events, approvals, batch, awaitingSet, queuedSet
-- ARGV: operator, note, nowIso, nowMs, approvalsRequired, eventsMaxLen, eventsMaxBytes
-- (the layout APPROVE in src/withdrawals/script-layouts.ts; a test holds this header to it)
-- note: '' for none; approvalsRequired: the policy's, when the record stores none.
-- Returns { 'missing' } | { 'invalid_state', status } | { 'own' } | { 'already', count }
--   | { 'approved', count } (more approvals needed) | { 'queued', count }
local rec, hist, stream, approvals, bkey, awaiting, queued = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local operator, note, nowIso, nowMs, required, maxlen, maxbytes = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6],
  ARGV[7]

local cur = redis.call('HMGET', rec, 'status', 'id', 'amountMsat', 'batchId', 'approvalsNeeded')
if not cur[1] then return { 'missing' } end
if cur[1] ~= 'awaiting_approval' then return { 'invalid_state', cur[1] } end
-- Input, before the first write.
if not required or required < 1 or not string.find(nowMs, '^%d+$') or not string.find(maxlen, '^%d+$')
  or not string.find(maxbytes, '^%d+$') then return { 'invalid_input', 'arguments' } end
if not msat_valid(cur[3] or '0') then return { 'invalid_input', 'stored amountMsat' } end
if cur[4] and cur[4] ~= '' and not (dec_hvalid(bkey, 'a:awaiting_approval') and dec_hvalid(bkey, 'a:queued')) then return { 'invalid_input', 'stored batch amount' } end
-- What the record was created needing holds, whatever this caller's settings say.
required = math.max(required, tonumber(cur[5] or '0') or 0)
-- Operators are one person whatever the case of their name.
if string.lower(owner_of(rec)) == string.lower(operator) then return { 'own' } end
if redis.call('SADD', approvals, operator) == 0 then return { 'already', tostring(redis.call('SCARD', approvals)) } end
local count = redis.call('SCARD', approvals)
local last = count >= required

local entry = { status = last and 'queued' or 'awaiting_approval', at = nowIso, actor = operator,
  cause = 'approved (' .. count .. ' of ' .. required .. ')' }
if note ~= '' then entry.note = note end
redis.call('RPUSH', hist, cjson.encode(entry))
redis.call('HSET', rec, 'updatedAt', nowIso)
if not last then
  withdrawal_event(stream, maxlen, maxbytes, 'awaiting_approval', nowIso, record_fields(rec))
  return { 'approved', tostring(count) }
end

redis.call('HSET', rec, 'status', 'queued')
redis.call('ZREM', awaiting, cur[2])
redis.call('ZADD', queued, nowMs, cur[2])
if cur[4] and cur[4] ~= '' then
  local amount = cur[3] or '0'
  redis.call('HINCRBY', bkey, 'n:awaiting_approval', -1)
  redis.call('HINCRBY', bkey, 'n:queued', 1)
  dec_hsub(bkey, 'a:awaiting_approval', amount)
  dec_hadd(bkey, 'a:queued', amount)
end
withdrawal_event(stream, maxlen, maxbytes, 'queued', nowIso, record_fields(rec))
return { 'queued', tostring(count) }
