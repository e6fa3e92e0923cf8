-- Shared helpers (prepended to every script): the record as the API shows it, as JSON text.
-- JSON-valued fields (metadata, failure) are spliced verbatim, so they round-trip exactly.
local function jstr(v)
  if v == false or v == nil or v == '' then return 'null' end
  return cjson.encode(v)
end

local function jraw(v)
  if v == false or v == nil or v == '' then return 'null' end
  return v
end

local function record_json(key)
  local f = redis.call('HMGET', key, 'id', 'provider', 'status', 'invoice', 'address', 'paymentHash',
    'amountMsat', 'feeMsat', 'providerRef', 'attempts', 'batchId', 'failure', 'description',
    'metadata', 'createdAt', 'updatedAt', 'owner', 'lightningAddress')
  return '{"id":' .. jstr(f[1]) .. ',"provider":' .. jstr(f[2]) .. ',"status":' .. jstr(f[3]) ..
    ',"invoice":' .. jstr(f[4]) .. ',"lightningAddress":' .. jstr(f[18]) .. ',"address":' .. jstr(f[5]) .. ',"paymentHash":' .. jstr(f[6]) ..
    ',"amountMsat":' .. jstr(f[7]) .. ',"feeMsat":' .. jstr(f[8]) .. ',"providerRef":' .. jstr(f[9]) ..
    ',"attempts":' .. (tonumber(f[10]) or 0) .. ',"batchId":' .. jstr(f[11]) .. ',"failure":' .. jraw(f[12]) ..
    ',"description":' .. jstr(f[13]) .. ',"metadata":' .. jraw(f[14]) .. ',"createdAt":' .. jstr(f[15]) ..
    ',"updatedAt":' .. jstr(f[16]) .. ',"owner":' .. cjson.encode(f[17] or 'default') .. '}'
end

-- Owner of a record or batch hash: the producer that created it ('default' before owners existed).
local function owner_of(key)
  return redis.call('HGET', key, 'owner') or 'default'
end

-- `owner` lets the event stream and webhook deliveries show each producer its own events alone.
local function add_event(stream, maxlen, etype, ts, data, owner)
  if tonumber(maxlen) > 0 then
    return redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'type', etype, 'ts', ts, 'owner', owner, 'data', data)
  end
  return redis.call('XADD', stream, '*', 'type', etype, 'ts', ts, 'owner', owner, 'data', data)
end

local STATUSES = { 'queued', 'submitting', 'submitted', 'unknown', 'succeeded', 'failed', 'needs_review', 'cancelled',
  'awaiting_approval' }
-- Statuses no transition leaves (needs_review is terminal for workers, but an operator moves it on).
local FINAL = { succeeded = true, failed = true, cancelled = true }

-- When a sealed batch has every item terminal for the first time, emit batch.done once.
-- Runs on every transition of a batch item, so the common case (not done yet) is one HMGET.
local function maybe_batch_done(bkey, stream, maxlen, ts)
  local b = redis.call('HMGET', bkey, 'total', 'sealed', 'doneAt', 'id',
    'n:succeeded', 'n:failed', 'n:needs_review', 'n:cancelled') -- the terminal statuses
  if b[2] ~= '1' or b[3] then return end
  local total = tonumber(b[1]) or 0
  local terminal = 0
  for i = 5, 8 do terminal = terminal + (tonumber(b[i]) or 0) end
  if terminal < total then return end
  local names = {}
  for _, s in ipairs(STATUSES) do
    table.insert(names, 'n:' .. s)
    table.insert(names, 'a:' .. s)
  end
  local v = redis.call('HMGET', bkey, unpack(names))
  local by, amt = {}, {}
  for i, s in ipairs(STATUSES) do
    local n = tonumber(v[2 * i - 1] or '0') or 0
    if n > 0 then
      table.insert(by, cjson.encode(s) .. ':' .. n)
      table.insert(amt, cjson.encode(s) .. ':' .. cjson.encode(v[2 * i] or '0'))
    end
  end
  redis.call('HSET', bkey, 'doneAt', ts)
  local data = '{"batchId":' .. cjson.encode(b[4]) .. ',"total":' .. total .. ',"byStatus":{' ..
    table.concat(by, ',') .. '},"amountMsatByStatus":{' .. table.concat(amt, ',') .. '},"done":true}'
  add_event(stream, maxlen, 'batch.done', ts, data, owner_of(bkey))
end
