-- One request from a provider's fleet-wide budget: GCRA, a token bucket kept as one timestamp (the
-- "theoretical arrival time" of the next request). Time is Redis's, so every process agrees.
-- KEYS: 1 the provider's budget key. ARGV: 1 ms between requests (1000 / limit), 2 burst, in ms.
-- Returns 0 when the request may go now (and counts it), else how many ms to wait.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - burst - now
if wait > 0 then return math.ceil(wait) end
local nextTat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return 0
