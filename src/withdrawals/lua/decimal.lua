-- Exact arithmetic on amounts as decimal strings (prepended to every script that counts money).
-- A decimal is digits only: no sign, no leading zero unless it is "0", any length. Lua's numbers
-- lose digits past 2^53 and HINCRBY stops at 2^63, so amounts are never numbers here.

-- 21 million BTC in msat: no real amount is larger (BITCOIN_SUPPLY_MSAT in src/money.ts).
local MAX_MSAT = '2100000000000000000'

local function dec_valid(s)
  return type(s) == 'string' and (s == '0' or string.find(s, '^[1-9]%d*$') ~= nil)
end

local function dec_check(s)
  if not dec_valid(s) then error('not a decimal: ' .. string.sub(tostring(s), 1, 40)) end
end

-- -1, 0 or 1 as a < b, a == b, a > b (byte by byte: no locale, no numbers).
local function dec_cmp(a, b)
  dec_check(a)
  dec_check(b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end

-- An amount in msat: a decimal of at most 21 million BTC.
local function msat_valid(s)
  return dec_valid(s) and dec_cmp(s, MAX_MSAT) <= 0
end

local function dec_add(a, b)
  dec_check(a)
  dec_check(b)
  local digits, carry = {}, 0
  local i, j = #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local d = carry
    if i > 0 then d = d + string.byte(a, i) - 48; i = i - 1 end
    if j > 0 then d = d + string.byte(b, j) - 48; j = j - 1 end
    carry = d >= 10 and 1 or 0
    digits[#digits + 1] = d - 10 * carry
  end
  return string.reverse(table.concat(digits))
end

-- a - b, for a >= b (an error otherwise).
local function dec_sub(a, b)
  if dec_cmp(a, b) < 0 then error('negative difference: ' .. a .. ' - ' .. b) end
  local digits, borrow = {}, 0
  local i, j = #a, #b
  while i > 0 do
    local d = string.byte(a, i) - 48 - borrow
    if j > 0 then d = d - (string.byte(b, j) - 48); j = j - 1 end
    borrow = d < 0 and 1 or 0
    digits[#digits + 1] = d + 10 * borrow
    i = i - 1
  end
  local s = string.gsub(string.reverse(table.concat(digits)), '^0+', '')
  if s == '' then return '0' end
  return s
end

-- a - b, or "0" when b >= a: a script past its first write must not stop half-way.
local function dec_sub_floor(a, b)
  return dec_cmp(a, b) > 0 and dec_sub(a, b) or '0'
end

-- A hash field that holds a decimal (absent is "0"): is it one? HINCRBY wrote the same digits.
local function dec_hvalid(key, field)
  local v = redis.call('HGET', key, field)
  return not v or dec_valid(v)
end

-- Adds x to a hash field that holds a decimal; answers the new value. Nothing is written for "0".
local function dec_hadd(key, field, x)
  local cur = redis.call('HGET', key, field) or '0'
  if x == '0' then return cur end
  local v = dec_add(cur, x)
  redis.call('HSET', key, field, v)
  return v
end

-- Takes x from a hash field that holds a decimal, never below "0" (a script past its first write
-- must not stop half-way); answers the new value. Nothing is written for "0".
local function dec_hsub(key, field, x)
  local cur = redis.call('HGET', key, field) or '0'
  if x == '0' then return cur end
  local v = dec_cmp(cur, x) > 0 and dec_sub(cur, x) or '0'
  redis.call('HSET', key, field, v)
  return v
end
