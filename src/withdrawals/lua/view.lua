-- Shared helpers (prepended to every script): the record as the API shows it, as JSON text, and events.
-- JSON-valued fields (metadata, failure) are spliced verbatim, so they round-trip exactly.
local function jstr(v)
  if v == false or v == nil or v == '' then return 'null' end
  return cjson.encode(v)
end

local function jraw(v)
  if v == false or v == nil or v == '' then return 'null' end
  return v
end

-- The record's view (GET without history), in order: each field and how it is written (s: string or
-- null, n: number, r: JSON text spliced verbatim, o: the owner, 'default' when absent).
local VIEW = { { 'id', 's' }, { 'provider', 's' }, { 'status', 's' }, { 'invoice', 's' }, { 'lightningAddress', 's' },
  { 'address', 's' }, { 'paymentHash', 's' }, { 'amountMsat', 's' }, { 'feeMsat', 's' }, { 'providerRef', 's' },
  { 'attempts', 'n' }, { 'batchId', 's' }, { 'failure', 'r' }, { 'description', 's' }, { 'metadata', 'r' },
  { 'createdAt', 's' }, { 'updatedAt', 's' }, { 'owner', 'o' } }
local VIEW_FIELDS = {}
for i, v in ipairs(VIEW) do VIEW_FIELDS[i] = v[1] end

-- Fields a record gets once and never changes after (set at creation; a Lightning Address's invoice and
-- hash resolved once): an event leaves each out once it is set, naming it in the entry's `fill`, and
-- readers take it from the record (src/events/slim.ts), so a status change does not copy the metadata
-- (up to 8 KiB) again. Everything else in an event is the record as it was at the event.
local FILLED = { invoice = true, paymentHash = true, description = true, metadata = true }

-- A stored providerRef that is the record's payment hash (TurinPay's reference is its payment hash):
-- transition.lua stores this instead of the 64 hex digits again; readers read it as paymentHash.
local REF_IS_HASH = '='

-- The view's fields of a stored record, by name (absent ones nil).
local function record_fields(key)
  local v = redis.call('HMGET', key, unpack(VIEW_FIELDS))
  local f = {}
  for i, name in ipairs(VIEW_FIELDS) do
    if v[i] then f[name] = v[i] end
  end
  return f
end

-- An event's data: the view of the record `f` (fields by name) without the FILLED fields that are set,
-- and the names of those, comma-separated ('' when none).
local function event_view(f)
  local parts, fill = {}, {}
  for _, field in ipairs(VIEW) do
    local name, kind = field[1], field[2]
    local v = f[name]
    if name == 'providerRef' and v == REF_IS_HASH then v = f['paymentHash'] end
    if FILLED[name] and v and v ~= '' then
      table.insert(fill, name)
    else
      local text
      if kind == 's' then text = jstr(v)
      elseif kind == 'n' then text = tostring(tonumber(v) or 0)
      elseif kind == 'r' then text = jraw(v)
      else text = cjson.encode(v or 'default') end
      table.insert(parts, '"' .. name .. '":' .. text)
    end
  end
  return '{' .. table.concat(parts, ',') .. '}', table.concat(fill, ',')
end

-- Owner of a record or batch hash: the producer that created it ('default' before owners existed).
local function owner_of(key)
  return redis.call('HGET', key, 'owner') or 'default'
end

-- Every so many events (by their id) a stream's size is measured against its byte budget.
local BYTES_CHECK_EVERY = 16

-- Drops a stream's oldest entries (about) while it takes more than maxbytes (0: no budget).
local function trim_bytes(key, maxbytes, id)
  if maxbytes <= 0 then return end
  local ms, seq = string.match(id, '^(%d+)%-(%d+)$')
  if (tonumber(ms) + tonumber(seq)) % BYTES_CHECK_EVERY ~= 0 then return end
  local used = redis.call('MEMORY', 'USAGE', key)
  if not used or used <= maxbytes then return end
  local len = redis.call('XLEN', key)
  redis.call('XTRIM', key, 'MAXLEN', '~', math.floor(len * maxbytes / used))
end

-- One event, written twice with one id: a slim entry (type, time, owner, subject) in `stream`, which
-- orders every owner's events (operators' pages and the webhook fan-out read it), and the event itself
-- in its owner's stream `<stream>:<owner>`, which that producer's pages read alone (its cursor never
-- moves for others' events). Each stream keeps at most maxlen entries (0: all) and about maxbytes.
-- subject: `w:<withdrawal id>` or `b:<batch id>`; fill: the FILLED fields the data leaves out ('' none).
local function add_event(stream, maxlen, maxbytes, etype, ts, owner, subject, data, fill)
  local len, bytes = tonumber(maxlen), tonumber(maxbytes)
  local function xadd(key, id, ...)
    if len > 0 then return redis.call('XADD', key, 'MAXLEN', '~', len, id, ...) end
    return redis.call('XADD', key, id, ...)
  end
  local id = xadd(stream, '*', 'type', etype, 'ts', ts, 'owner', owner, 'subject', subject)
  local own = stream .. ':' .. owner
  if fill ~= '' then
    xadd(own, id, 'type', etype, 'ts', ts, 'data', data, 'fill', fill)
  else
    xadd(own, id, 'type', etype, 'ts', ts, 'data', data)
  end
  trim_bytes(stream, bytes, id)
  trim_bytes(own, bytes, id)
  return id
end

-- A withdrawal's `withdrawal.<status>` event from its record's fields (by name).
local function withdrawal_event(stream, maxlen, maxbytes, status, ts, f)
  local data, fill = event_view(f)
  local owner = f['owner'] or 'default'
  return add_event(stream, maxlen, maxbytes, 'withdrawal.' .. status, ts, owner, 'w:' .. f['id'], data, fill)
end

local STATUSES = { 'queued', 'submitting', 'submitted', 'unknown', 'succeeded', 'failed', 'needs_review', 'cancelled',
  'awaiting_approval' }
-- Statuses no transition leaves (needs_review is terminal for workers, but an operator moves it on).
local FINAL = { succeeded = true, failed = true, cancelled = true }

-- The statuses a batch counts as done with (needs_review waits on an operator, not on a worker).
local BATCH_TERMINAL = { succeeded = true, failed = true, needs_review = true, cancelled = true }

-- When a sealed batch has every item terminal for the first time, emit batch.done once.
-- Runs on every move of a batch item to a BATCH_TERMINAL status, so the common case (not done yet)
-- is one HMGET.
local function maybe_batch_done(bkey, stream, maxlen, maxbytes, ts)
  local b = redis.call('HMGET', bkey, 'total', 'sealed', 'doneAt', 'id',
    'n:succeeded', 'n:failed', 'n:needs_review', 'n:cancelled') -- BATCH_TERMINAL's statuses
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
  add_event(stream, maxlen, maxbytes, 'batch.done', ts, owner_of(bkey), 'b:' .. b[4], data, '')
end
