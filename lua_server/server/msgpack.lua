-- MessagePack for LuaJIT, as the bridge speaks it (bridge/PROTOCOL.md, version 1).
-- The output is deterministic so golden vectors re-encode byte for byte: smallest int and
-- length forms, map keys sorted (integers, floats, strings bytewise, booleans), integral
-- numbers as ints. Errors carry a "msgpack: " prefix and, when decoding, a 0-based offset.
local ffi = require "ffi"
local bit = require "bit"

local byte, char, sub, find, format =
  string.byte, string.char, string.sub, string.find, string.format
local concat, sort = table.concat, table.sort
local floor, frexp, ldexp, huge = math.floor, math.frexp, math.ldexp, math.huge
local band, rshift = bit.band, bit.rshift
local type, pairs, tostring = type, pairs, tostring
local error, getmetatable, setmetatable = error, getmetatable, setmetatable

local ok, tnew = pcall(require, "table.new")
if not ok then tnew = function() return {} end end

local _M = { MAX_DEPTH = 64 }
local MAX_DEPTH = _M.MAX_DEPTH
local TWO32 = 4294967296
local INT_MIN, UINT_END = -9223372036854775808, 18446744073709551616

local ext_mt = {
  __tostring = function(e) return format("msgpack.ext(%d, %d bytes)", e.code, #e.payload) end,
}
-- Side tables (weak keys) remembering what decoded tables were on the wire: an array's
-- length survives nil holes, and an empty map stays a map when it is sent back.
local lengths = setmetatable({}, { __mode = "k" })
local maps = setmetatable({}, { __mode = "k" })

local function is_int(x)
  return x == floor(x) and x >= INT_MIN and x < UINT_END and not (x == 0 and 1 / x < 0)
end

function _M.ext(code, payload)
  if type(code) ~= "number" or code ~= floor(code) or code < -128 or code > 127 then
    error("msgpack.ext: code must be an integer in [-128, 127], got " .. tostring(code), 2)
  end
  if type(payload) ~= "string" then error("msgpack.ext: payload must be a string", 2) end
  return setmetatable({ code = code, payload = payload }, ext_mt)
end

function _M.is_ext(v) return getmetatable(v) == ext_mt end

function _M.array_length(t) return lengths[t] end

-- Marks t to be sent as an array of length n (default #t), nil holes included.
function _M.array(t, n)
  n = n or #t
  if type(t) ~= "table" or type(n) ~= "number" or n < 0 or n ~= floor(n) then
    error("msgpack.array: expected a table and a length >= 0", 2)
  end
  lengths[t], maps[t] = n, nil
  return t
end

-- Marks t to be sent as a map even when its keys are 1..n (or it is empty).
function _M.map(t)
  if type(t) ~= "table" then error("msgpack.map: expected a table", 2) end
  maps[t], lengths[t] = true, nil
  return t
end

---------------------------------------------------------------------------- encoding

local function put(buf, s) local n = buf.n + 1; buf[n] = s; buf.n = n end

-- Every one-byte string, made once: string.char interns a new string on each call, and
-- most pieces of a request or reply (small ints, fix lengths) are one byte.
local BYTE = {}
for i = 0, 255 do BYTE[i] = char(i) end

local function u32(x)  -- four big-endian bytes of 0 <= x < 2^32
  return rshift(x, 24), band(rshift(x, 16), 255), band(rshift(x, 8), 255), band(x, 255)
end

local function put_u64(buf, tag, x)  -- x integral; two's complement when negative
  local hi = floor(x / TWO32)
  local lo = x - hi * TWO32
  if hi < 0 then hi = hi + TWO32 end
  put(buf, char(tag, u32(hi))); put(buf, char(u32(lo)))
end

local function put_int(buf, x)
  if x >= 0 then
    if x < 128 then put(buf, BYTE[x])
    elseif x < 256 then put(buf, char(0xcc, x))
    elseif x < 65536 then put(buf, char(0xcd, rshift(x, 8), band(x, 255)))
    elseif x < TWO32 then put(buf, char(0xce, u32(x)))
    else put_u64(buf, 0xcf, x) end
  else
    if x >= -32 then put(buf, BYTE[x + 256])
    elseif x >= -128 then put(buf, char(0xd0, x + 256))
    elseif x >= -32768 then put(buf, char(0xd1, rshift(x + 65536, 8), band(x, 255)))
    elseif x >= -2147483648 then put(buf, char(0xd2, u32(x + TWO32)))
    else put_u64(buf, 0xd3, x) end
  end
end

-- Floats are taken apart with arithmetic, not by punning a double through a byte pointer:
-- the JIT's type-based alias analysis may reorder such loads past the store.
local function put_number(buf, x)
  if is_int(x) then return put_int(buf, x) end
  if x ~= x then return put(buf, "\203\127\248\0\0\0\0\0\0") end  -- one canonical NaN
  local hi, lo = 0, 0
  if x < 0 or 1 / x < 0 then hi, x = 2147483648, -x end
  if x == huge then
    hi = hi + 0x7ff00000
  elseif x ~= 0 then
    local m, e = frexp(x)  -- x = m * 2^e, 0.5 <= m < 1
    local mant
    if e > -1022 then
      mant = (2 * m - 1) * 4503599627370496  -- the 52 bits after the implicit 1
      hi = hi + (e + 1022) * 1048576
    else
      mant = ldexp(x, 1074)  -- subnormal
    end
    local mhi = floor(mant / TWO32)
    hi, lo = hi + mhi, mant - mhi * TWO32
  end
  put(buf, char(0xcb, u32(hi))); put(buf, char(u32(lo)))
end

local function put_len(buf, n, small, small_max, t8, t16, t32, what)
  if n <= small_max then put(buf, BYTE[small + n])
  elseif t8 and n < 256 then put(buf, char(t8, n))
  elseif n < 65536 then put(buf, char(t16, rshift(n, 8), band(n, 255)))
  elseif n < TWO32 then put(buf, char(t32, u32(n)))
  else error(format("msgpack: %s of length %d is too long", what, n), 0) end
end

-- Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
local function is_utf8(s)
  local p, n, i = ffi.cast("const uint8_t *", s), #s, 0
  -- no UTF-8 starts with a continuation byte or an overlong lead: an encoded header (a map)
  -- is binary at once, without entering the loop (a loop run once aborts the JIT's traces)
  if n > 0 and p[0] >= 0x80 and p[0] < 0xc2 then return false end
  if n > 256 then  -- a pattern search skips ASCII faster, but it cannot be JIT-compiled
    i = find(s, "[\128-\255]")
    if not i then return true end
    i = i - 1
  end
  while i < n do
    local c = p[i]
    if c < 0x80 then
      i = i + 1
    else
      local more, lo, hi = 2, 0x80, 0xbf
      if c < 0xc2 or c > 0xf4 then return false
      elseif c < 0xe0 then more = 1
      elseif c == 0xe0 then lo = 0xa0
      elseif c == 0xed then hi = 0x9f
      elseif c >= 0xf0 then
        more = 3
        if c == 0xf0 then lo = 0x90 elseif c == 0xf4 then hi = 0x8f end
      end
      if i + more >= n then return false end
      local c1 = p[i + 1]
      if c1 < lo or c1 > hi then return false end
      for j = 2, more do
        local cj = p[i + j]
        if cj < 0x80 or cj > 0xbf then return false end
      end
      i = i + more + 1
    end
  end
  return true
end
_M.is_utf8 = is_utf8

local function put_string(buf, s)
  if is_utf8(s) then put_len(buf, #s, 0xa0, 31, 0xd9, 0xda, 0xdb, "string")
  else put_len(buf, #s, 0xc4, -1, 0xc4, 0xc5, 0xc6, "binary string") end
  put(buf, s)
end

local FIXEXT = { [1] = 0xd4, [2] = 0xd5, [4] = 0xd6, [8] = 0xd7, [16] = 0xd8 }

local function put_ext(buf, code, payload)
  local n = #payload
  if FIXEXT[n] then put(buf, BYTE[FIXEXT[n]])
  else put_len(buf, n, 0xc7, -1, 0xc7, 0xc8, 0xc9, "ext payload") end
  put(buf, BYTE[band(code, 255)]); put(buf, payload)
end

local KEY_RANK = { number = 0, string = 2, boolean = 3 }

local function key_rank(k)
  local r = KEY_RANK[type(k)]
  if r == 0 and not is_int(k) then r = 1 end
  return r
end

local function key_less(a, b)
  local ra, rb = key_rank(a), key_rank(b)
  if ra ~= rb then return ra < rb end
  if ra == 3 then return b and not a end
  return a < b
end

local encode_value

local function encode_table(buf, t, depth, hook, path)
  if path[t] then error("msgpack: cycle: a table contains itself", 0) end
  if depth > MAX_DEPTH then
    error(format("msgpack: tables nested deeper than %d levels", MAX_DEPTH), 0)
  end
  path[t] = true
  local count, maxk, arraylike = 0, 0, not maps[t]
  for k in pairs(t) do
    count = count + 1
    if arraylike then
      if type(k) == "number" and k >= 1 and k == floor(k) then
        if k > maxk then maxk = k end
      else
        arraylike = false
      end
    end
  end
  local len = lengths[t]
  if arraylike and len and maxk <= len then count, maxk = len, len end
  if arraylike and maxk == count then
    put_len(buf, count, 0x90, 15, nil, 0xdc, 0xdd, "array")
    for i = 1, count do encode_value(buf, t[i], depth, hook, path) end
  else
    local keys, n, strings = tnew(count, 0), 0, true
    for k in pairs(t) do
      local tk = type(k)
      if tk ~= "string" then
        if not KEY_RANK[tk] then error("msgpack: cannot encode a map key of type " .. tk, 0) end
        strings = false
      end
      n = n + 1; keys[n] = k
    end
    sort(keys, not strings and key_less or nil)  -- LuaJIT compares strings bytewise
    put_len(buf, n, 0x80, 15, nil, 0xde, 0xdf, "map")
    for i = 1, n do
      local k = keys[i]
      encode_value(buf, k, depth, hook, path)
      encode_value(buf, t[k], depth, hook, path)
    end
  end
  path[t] = nil
end

encode_value = function(buf, v, depth, hook, path)
  local tv = type(v)
  if tv == "nil" then put(buf, "\192")
  elseif tv == "boolean" then put(buf, v and "\195" or "\194")
  elseif tv == "number" then put_number(buf, v)
  elseif tv == "string" then put_string(buf, v)
  else
    local mt
    if tv == "table" then
      mt = getmetatable(v)
      if mt == nil then return encode_table(buf, v, depth + 1, hook, path) end
    end
    if mt == ext_mt then return put_ext(buf, v.code, v.payload) end
    if not hook then
      error(format("msgpack: cannot encode a %s%s without an ext hook", tv,
        mt and " with a metatable" or ""), 0)
    end
    local code, payload = hook(v)
    if type(code) ~= "number" or code ~= floor(code) or code < -128 or code > 127
        or type(payload) ~= "string" then
      error("msgpack: the ext hook must return an ext code in [-128, 127] and a payload string", 0)
    end
    put_ext(buf, code, payload)
  end
end

function _M.encode(value, hook)
  if hook ~= nil and type(hook) ~= "function" then
    error("msgpack.encode: hook must be a function", 2)
  end
  local buf = { n = 0 }
  encode_value(buf, value, 0, hook, {})
  return concat(buf, "", 1, buf.n)
end

-- The hot path of every reply (serve.lua): nil, booleans, numbers, strings and ext values
-- packed straight into one reused buffer, with none of encode's table walk, cycle
-- bookkeeping or sorting, and nothing that raises (a Lua string is shorter than 2^32, the
-- only length put_len refuses), so the caller needs no pcall, which no JIT trace can cross.
-- Each gives exactly encode's bytes, or nil when a value needs encode (a table, an object
-- for a hook): the caller then falls back to it.
local flat = { n = 0 }
local FLAT_KEEP_MAX = 4096  -- bigger results are not kept alive by the buffer till the next

local function put_flat(buf, v)
  local tv = type(v)
  if tv == "number" then put_number(buf, v)
  elseif tv == "string" then put_string(buf, v)
  elseif tv == "nil" then put(buf, "\192")
  elseif tv == "boolean" then put(buf, v and "\195" or "\194")
  elseif tv == "table" and getmetatable(v) == ext_mt then put_ext(buf, v.code, v.payload)
  else return false end
  return true
end

local function flat_declined(buf)  -- (nothing it gathered stays alive)
  for i = 1, buf.n do buf[i] = nil end
  return nil
end

local function flat_result(buf)
  local s = concat(buf, "", 1, buf.n)
  if #s > FLAT_KEEP_MAX then
    for i = 1, buf.n do buf[i] = nil end
  end
  return s
end

-- One such value, or nil.
function _M.encode_flat(v)
  local buf = flat
  buf.n = 0
  if not put_flat(buf, v) then return flat_declined(buf) end
  return flat_result(buf)
end

local function put_flat_array(buf, values, n)
  put_len(buf, n, 0x90, 15, nil, 0xdc, 0xdd, "array")
  if n == 1 then  -- the usual reply: one value, no loop for the JIT to stumble on
    return put_flat(buf, values[1])
  end
  for i = 1, n do
    if not put_flat(buf, values[i]) then return false end
  end
  return true
end

-- The array of values[1..n], as encode(array(values, n)) gives it, or nil.
function _M.encode_flat_array(values, n)
  local buf = flat
  buf.n = 0
  if not put_flat_array(buf, values, n) then return flat_declined(buf) end
  return flat_result(buf)
end

-- head .. encode(v) .. middle .. encode(array(values, n)) as one string, or nil: a map
-- packed around constant pieces (serve.lua's usual reply) with no string made per piece.
function _M.encode_flat_between(head, v, middle, values, n)
  local buf = flat
  buf.n = 0
  put(buf, head)
  if not put_flat(buf, v) then return flat_declined(buf) end
  put(buf, middle)
  if not put_flat_array(buf, values, n) then return flat_declined(buf) end
  return flat_result(buf)
end

---------------------------------------------------------------------------- decoding

local function fail(pos, fmt_, ...)
  error(format("msgpack: at byte %d: " .. fmt_, pos - 1, ...), 0)
end

local function need(s, pos, n, what)
  if pos + n - 1 > #s then
    fail(pos, "truncated input, expected %d bytes of %s but %d remain", n, what, #s - pos + 1)
  end
end

local function uint(s, pos, n, what)
  need(s, pos, n, what)
  if n == 1 then return byte(s, pos) end
  if n == 2 then local a, b = byte(s, pos, pos + 1); return a * 256 + b end
  local a, b, c, d = byte(s, pos, pos + 3)
  local x = ((a * 256 + b) * 256 + c) * 256 + d
  if n == 4 then return x end
  a, b, c, d = byte(s, pos + 4, pos + 7)
  return x * TWO32 + (((a * 256 + b) * 256 + c) * 256 + d)  -- rounds past 2^53
end

-- IEEE 754 values from their bits (see put_number for why not through a cdata).
local function float64(hi, lo)
  local sign = 1
  if hi >= 2147483648 then sign, hi = -1, hi - 2147483648 end
  local e = floor(hi / 1048576)
  local mant = (hi - e * 1048576) * TWO32 + lo
  if e == 2047 then return mant == 0 and sign * huge or 0 / 0 end
  if e == 0 then return sign * ldexp(mant, -1074) end
  return sign * ldexp(mant + 4503599627370496, e - 1075)
end

local function float32(bits)
  local sign = 1
  if bits >= 2147483648 then sign, bits = -1, bits - 2147483648 end
  local e = floor(bits / 8388608)
  local mant = bits - e * 8388608
  if e == 255 then return mant == 0 and sign * huge or 0 / 0 end
  if e == 0 then return sign * ldexp(mant, -149) end
  return sign * ldexp(mant + 8388608, e - 150)
end

-- How many bytes follow a type byte as its length (or value), by type byte.
local LEN_SIZE = { [0xc4] = 1, [0xc5] = 2, [0xc6] = 4, [0xc7] = 1, [0xc8] = 2, [0xc9] = 4,
  [0xd9] = 1, [0xda] = 2, [0xdb] = 4, [0xdc] = 2, [0xdd] = 4, [0xde] = 2, [0xdf] = 4 }
local FIXEXT_LEN = { [0xd4] = 1, [0xd5] = 2, [0xd6] = 4, [0xd7] = 8, [0xd8] = 16 }

local decode_value

local function decode_array(s, pos, n, depth, hook, at)
  if depth > MAX_DEPTH then fail(at, "arrays and maps nested deeper than %d levels", MAX_DEPTH) end
  local left = #s - pos + 1  -- every element takes at least one byte
  if n > left then fail(at, "array claims %d elements but only %d bytes remain", n, left) end
  local t = tnew(n, 0)
  for i = 1, n do t[i], pos = decode_value(s, pos, depth, hook) end
  lengths[t] = n
  return t, pos
end

local function decode_map(s, pos, n, depth, hook, at)
  if depth > MAX_DEPTH then fail(at, "arrays and maps nested deeper than %d levels", MAX_DEPTH) end
  local left = #s - pos + 1
  if 2 * n > left then fail(at, "map claims %d entries but only %d bytes remain", n, left) end
  local t = tnew(0, n)
  -- A map with a key that is not a positive integer is a map to the encoder anyway; only
  -- the others (no keys, or keys 1..n) need marking, which spares a weak-table insert (the
  -- costliest step of decoding a request header) for every header.
  local keyed = false
  for _ = 1, n do
    local kpos, k, v = pos
    k, pos = decode_value(s, pos, depth, hook)
    v, pos = decode_value(s, pos, depth, hook)
    if k == nil or k ~= k then
      fail(kpos, "map key is %s, which Lua cannot index by", tostring(k))
    end
    if not keyed and (type(k) ~= "number" or k < 1 or k ~= floor(k)) then keyed = true end
    t[k] = v
  end
  if not keyed then maps[t] = true end
  return t, pos
end

local function decode_ext(s, pos, n, hook)
  need(s, pos, n + 1, "ext type and payload")
  local code = byte(s, pos)
  if code >= 128 then code = code - 256 end
  local payload = sub(s, pos + 1, pos + n)
  if hook then return hook(code, payload), pos + n + 1 end
  return _M.ext(code, payload), pos + n + 1
end

decode_value = function(s, pos, depth, hook)
  local c = byte(s, pos)
  if not c then fail(pos, "truncated input, expected a value") end
  if c < 0x80 then return c, pos + 1 end
  if c >= 0xe0 then return c - 256, pos + 1 end
  if c < 0x90 then return decode_map(s, pos + 1, c - 0x80, depth + 1, hook, pos) end
  if c < 0xa0 then return decode_array(s, pos + 1, c - 0x90, depth + 1, hook, pos) end
  if c < 0xc0 then
    local n = c - 0xa0
    need(s, pos + 1, n, "string")
    return sub(s, pos + 1, pos + n), pos + n + 1
  end
  if c == 0xc0 then return nil, pos + 1 end
  if c == 0xc2 then return false, pos + 1 end
  if c == 0xc3 then return true, pos + 1 end
  if c == 0xca then return float32(uint(s, pos + 1, 4, "float32")), pos + 5 end
  if c == 0xcb then
    need(s, pos + 1, 8, "float64")
    return float64(uint(s, pos + 1, 4, "float64"), uint(s, pos + 5, 4, "float64")), pos + 9
  end
  if c >= 0xcc and c <= 0xcf then
    local n = 2 ^ (c - 0xcc)
    return uint(s, pos + 1, n, "unsigned int"), pos + 1 + n
  end
  if c >= 0xd0 and c <= 0xd3 then
    local n = 2 ^ (c - 0xd0)
    if n == 8 then  -- the sign goes on the high word, so only the final sum rounds
      need(s, pos + 1, 8, "signed int")
      local hi = uint(s, pos + 1, 4, "signed int")
      if hi >= 2147483648 then hi = hi - TWO32 end
      return hi * TWO32 + uint(s, pos + 5, 4, "signed int"), pos + 9
    end
    local x = uint(s, pos + 1, n, "signed int")
    if x >= 2 ^ (8 * n - 1) then x = x - 2 ^ (8 * n) end
    return x, pos + 1 + n
  end
  if FIXEXT_LEN[c] then return decode_ext(s, pos + 1, FIXEXT_LEN[c], hook) end
  local lsize = LEN_SIZE[c]
  if not lsize then fail(pos, "invalid type byte 0x%02x", c) end
  local n = uint(s, pos + 1, lsize, "length")
  local body = pos + 1 + lsize
  if c >= 0xdc then
    if c >= 0xde then return decode_map(s, body, n, depth + 1, hook, pos) end
    return decode_array(s, body, n, depth + 1, hook, pos)
  end
  if c >= 0xc7 and c <= 0xc9 then return decode_ext(s, body, n, hook) end
  need(s, body, n, c <= 0xc6 and "binary string" or "string")
  return sub(s, body, body + n - 1), body + n
end

-- Decodes one value starting at byte 1 of s; returns it and the position after it.
function _M.decode(s, ext_hook)
  if type(s) ~= "string" then error("msgpack.decode: expected a string, got " .. type(s), 2) end
  if ext_hook ~= nil and type(ext_hook) ~= "function" then
    error("msgpack.decode: ext_hook must be a function", 2)
  end
  return decode_value(s, 1, 0, ext_hook)
end

return _M
