-- The reply fast path (msgpack.encode_flat*, serve.encode_ok_values) must
-- give the generic encoder's bytes for every value it accepts, and decline the rest; and
-- the decoder's lighter marking must keep every decoded value re-encoding to its own bytes.
-- Property tests on seeded random values, so a failure names a reproducible case.
local mp = require "server.msgpack"
local wire = require "server.wire"
local serve = require "server.serve"

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

local random = math.random

-- integers at and around every boundary between msgpack's int forms, and random ones
local INT_EDGES = { 0, 1, 127, 128, 255, 256, 65535, 65536, 2 ^ 32 - 1, 2 ^ 32, 2 ^ 53,
  2 ^ 63, 2 ^ 64 - 2 ^ 12, -1, -32, -33, -128, -129, -32768, -32769, -2 ^ 31, -2 ^ 31 - 1,
  -2 ^ 53, -2 ^ 63 }
local FLOATS = { 0.5, -0.0, 1 / 0, -1 / 0, 0 / 0, 1e-310, -1e300, 2 ^ 64, 3.25, math.pi }
local STRING_LENGTHS = { 0, 1, 31, 32, 255, 256, 65535, 65536 }
local UTF8_PIECES = { "a", "\195\169", "\226\130\172", "\240\159\152\128" }
local EXT_LENGTHS = { 0, 1, 2, 3, 4, 8, 16, 17, 255, 256 }

local function random_string()
  local kind = random(4)
  if kind == 1 then return string.rep("x", STRING_LENGTHS[random(#STRING_LENGTHS)]) end
  local parts = {}
  for i = 1, random(0, 40) do
    if kind == 2 then parts[i] = UTF8_PIECES[random(#UTF8_PIECES)]  -- valid UTF-8
    else parts[i] = string.char(random(0, 255)) end                 -- mostly binary
  end
  return table.concat(parts)
end

local function random_scalar()
  local kind = random(8)
  if kind == 1 then return INT_EDGES[random(#INT_EDGES)] + random(-1, 1)
  elseif kind == 2 then return random(-1e6, 1e6)
  elseif kind == 3 then return FLOATS[random(#FLOATS)]
  elseif kind == 4 then return (random() - 0.5) * 10 ^ random(-20, 20)
  elseif kind == 5 then return random_string()
  elseif kind == 6 then return random(2) == 1
  elseif kind == 7 then return nil
  end
  return mp.ext(random(-128, 127), string.rep("p", EXT_LENGTHS[random(#EXT_LENGTHS)]))
end

describe("msgpack's flat fast path", function()
  it("packs every scalar and ext value to encode's bytes", function()
    math.randomseed(1234)
    for case = 1, 3000 do
      local v = random_scalar()
      expect.eq(hex(mp.encode_flat(v)), hex(mp.encode(v)), "case " .. case)
    end
  end)

  it("packs arrays of them, nil holes included, to encode's bytes", function()
    math.randomseed(99)
    for case = 1, 600 do
      local n = case % 20 == 0 and random(16, 40) or random(0, 4)
      local values = {}
      for i = 1, n do values[i] = random_scalar() end
      local expected = mp.encode(mp.array(values, n))
      expect.eq(hex(mp.encode_flat_array(values, n)), hex(expected), "case " .. case)
    end
  end)

  it("declines tables and objects, which need the generic encoder", function()
    expect.eq(mp.encode_flat({}), nil)
    expect.eq(mp.encode_flat(print), nil)
    expect.eq(mp.encode_flat_array({ 1, { 2 } }, 2), nil)
    expect.eq(mp.encode_flat_array({ setmetatable({}, {}) }, 1), nil)
    -- and a refusal leaves nothing behind for the next call
    expect.eq(hex(mp.encode_flat_array({ 5 }, 1)), "9105")
  end)

  it("packs a reply around constant pieces to the generic encoder's bytes", function()
    math.randomseed(7)
    for case = 1, 300 do
      local n = random(0, 3)
      local values, flat = {}, true
      for i = 1, n do
        if random(5) == 1 then
          values[i], flat = mp.map({ a = random_scalar(), [2] = "x" }), false
        else
          values[i] = random_scalar()
        end
      end
      local id = INT_EDGES[random(#INT_EDGES)]
      if id < 0 then id = -id end
      if id >= 2 ^ 64 then id = 2 ^ 64 - 2 ^ 12 end
      local packed = serve.encode_ok_values(id, values, n)
      local reply = { v = wire.VERSION, id = id, status = "ok", values = mp.array(values, n) }
      if flat then
        expect.eq(hex(packed), hex(mp.encode(reply)), "case " .. case)
      else
        expect.eq(packed, nil, "case " .. case .. " holds a table")
      end
    end
  end)
end)

-- UTF-8 validity decoded code point by code point (RFC 3629), written apart from the
-- encoder's own check, which decides between msgpack's str and bin forms.
local function utf8_reference(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, min = 1, 0
    if c >= 0xf0 then len, min, c = 4, 0x10000, c - 0xf0
    elseif c >= 0xe0 then len, min, c = 3, 0x800, c - 0xe0
    elseif c >= 0xc0 then len, min, c = 2, 0x80, c - 0xc0
    elseif c >= 0x80 then return false end
    if (len == 4 and c >= 8) or i + len - 1 > n then return false end
    for j = i + 1, i + len - 1 do
      local b = s:byte(j)
      if b < 0x80 or b > 0xbf then return false end
      c = c * 64 + (b - 0x80)
    end
    if c < min or c > 0x10ffff or (c >= 0xd800 and c <= 0xdfff) then return false end
    i = i + len
  end
  return true
end

describe("msgpack's UTF-8 check", function()
  it("agrees with a code point decoder on random and edge strings", function()
    math.randomseed(5)
    local edges = { "", "\128", "\193\129", "\194\128", "\224\159\191", "\237\160\128",
      "\244\144\128\128", "\244\143\191\191", "\132\162id", "a\128", ("a"):rep(300) .. "\255" }
    for _, e in ipairs(edges) do expect.eq(mp.is_utf8(e), utf8_reference(e), hex(e)) end
    for case = 1, 4000 do
      local parts = {}
      for i = 1, random(0, case % 50 == 0 and 300 or 6) do
        parts[i] = random(3) == 1 and UTF8_PIECES[random(#UTF8_PIECES)] or string.char(random(0, 255))
      end
      local s = table.concat(parts)
      expect.eq(mp.is_utf8(s), utf8_reference(s), "case " .. case .. ": " .. hex(s))
    end
  end)
end)

-- Random nested values as they come off the wire: arrays (with holes), maps with string,
-- integer, float and boolean keys, empty ones of both kinds.
local function random_value(depth)
  if depth > 3 or random(3) > 1 then return random_scalar() end
  local n = random(0, 5)
  local t = {}
  if random(2) == 1 then
    for i = 1, n do t[i] = random_value(depth + 1) end
    return mp.array(t, n)
  end
  for _ = 1, n do
    local kind, k = random(4), nil
    if kind == 1 then k = random(1, 6)           -- keys that look like an array's
    elseif kind == 2 then k = "k" .. random(9)
    elseif kind == 3 then k = random(-3, 0) + 0.5 * random(0, 1)
    else k = random(2) == 1 end
    t[k] = random_value(depth + 1)
  end
  return mp.map(t)
end

describe("msgpack decoding", function()
  it("re-encodes every decoded value to the bytes it came from", function()
    math.randomseed(4321)
    for case = 1, 1500 do
      local bytes = mp.encode(random_value(0))
      expect.eq(hex(mp.encode((mp.decode(bytes)))), hex(bytes), "case " .. case)
    end
  end)

  it("keeps array lengths for decoded arrays, and none for decoded maps", function()
    expect.eq(mp.array_length(mp.decode(mp.encode(mp.array({ 1, nil, 3 }, 3)))), 3)
    expect.eq(mp.array_length(mp.decode(mp.encode(mp.array({}, 0)))), 0)
    expect.eq(mp.array_length(mp.decode(mp.encode({ a = 1 }))), nil)
    expect.eq(mp.array_length(mp.decode(mp.encode(mp.map({ [1] = 1 })))), nil)
  end)
end)
