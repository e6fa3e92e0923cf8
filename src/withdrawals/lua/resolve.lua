-- Stores the invoice a Lightning Address (LNURL-pay) server minted for a withdrawal, once: the invoice,
-- its payment hash, its expiry and whether its description hash matched the server's metadata, with a
-- history entry, and claims the payment-hash index for it, in one step. Every input is checked before
-- the first write: a refused or erroring call changes nothing. A withdrawal that already has an
-- invoice is never given another (it pays the stored one or nothing).
-- KEYS: record, history, paymentHash, legacyPaymentHash
-- ARGV: id, invoice, paymentHash, paymentHashField, expiresAt, descriptionHashMatches, nowIso, entry, reconcileDeadline
-- (the layout RESOLVE in src/withdrawals/script-layouts.ts; a test holds this header to it)
-- paymentHash (key): the payment-hash index hash holding the new invoice's hash, at paymentHashField;
-- legacyPaymentHash: the string key that hash was indexed in before (read, never written);
-- paymentHash (argument): 64 hex;
-- expiresAt, reconcileDeadline: Unix ms; descriptionHashMatches: '1' or '0'; entry: history entry JSON.
-- Returns { 'ok' } | { 'missing' } | { 'invalid_input', what } | { 'resolved', stored invoice }
--   | { 'status', status } (not queued: nothing to resolve) | { 'not_an_address' } | { 'invoice_used', other id }
local rec, hist, ph, legacyPh = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, invoice, hash, phField, expiresAt, matches, nowIso, entry, deadline = ARGV[1], ARGV[2], ARGV[3], ARGV[4],
  ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]

-- Input, before anything is read or written.
if type(id) ~= 'string' or id == '' then return { 'invalid_input', 'id' } end
if type(invoice) ~= 'string' or invoice == '' or #invoice > 7089 then return { 'invalid_input', 'invoice' } end
if type(hash) ~= 'string' or not string.match(hash, '^' .. string.rep('[0-9a-f]', 64) .. '$') then
  return { 'invalid_input', 'payment hash' }
end
if type(phField) ~= 'string' or phField == '' or #phField >= #hash or string.sub(hash, -#phField) ~= phField then
  return { 'invalid_input', 'payment hash field' }
end
if type(expiresAt) ~= 'string' or not string.match(expiresAt, '^[1-9]%d*$') or #expiresAt > 15 then
  return { 'invalid_input', 'expiresAt' }
end
if type(deadline) ~= 'string' or not string.match(deadline, '^[1-9]%d*$') or #deadline > 15 then
  return { 'invalid_input', 'reconcileDeadline' }
end
if matches ~= '1' and matches ~= '0' then return { 'invalid_input', 'description hash flag' } end
if type(nowIso) ~= 'string' or nowIso == '' then return { 'invalid_input', 'now' } end
local okEntry, decoded = pcall(cjson.decode, entry)
if not okEntry or type(decoded) ~= 'table' then return { 'invalid_input', 'entry' } end

-- The record as it stands, before anything is written.
local cur = redis.call('HMGET', rec, 'id', 'status', 'invoice', 'lightningAddress')
if not cur[1] then return { 'missing' } end
if cur[1] ~= id then return { 'invalid_input', 'keys' } end
if cur[3] and cur[3] ~= '' then return { 'resolved', cur[3] } end
if not cur[4] or cur[4] == '' then return { 'not_an_address' } end
if cur[2] ~= 'queued' then return { 'status', cur[2] } end
local other = redis.call('HGET', ph, phField) or redis.call('GET', legacyPh)
if other and other ~= id then return { 'invoice_used', other } end

redis.call('HSET', ph, phField, id)
redis.call('HSET', rec, 'invoice', invoice, 'paymentHash', hash, 'expiresAt', expiresAt,
  'descriptionHashMatches', matches, 'reconcileDeadline', deadline, 'updatedAt', nowIso)
redis.call('RPUSH', hist, entry)
return { 'ok' }
