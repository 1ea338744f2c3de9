local mp = require "server.msgpack"

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function unhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end

local function nest(depth)  -- `depth` arrays, one inside the other
  local t = {}
  for _ = 2, depth do t = { t } end
  return t
end

describe("msgpack encode", function()
  it("writes numbers as ints when integral, else float64", function()
    expect.eq(hex(mp.encode(3)), "03")
    expect.eq(hex(mp.encode(3.5)), "cb400c000000000000")
    expect.eq(hex(mp.encode(-0.0)), "cb8000000000000000")
    expect.eq(hex(mp.encode(2 ^ 63)), "cf8000000000000000")
    expect.eq(hex(mp.encode(-2 ^ 63)), "d38000000000000000")
    expect.eq(hex(mp.encode(2 ^ 64)), "cb43f0000000000000")
    expect.eq(hex(mp.encode(1 / 0)), "cb7ff0000000000000")
    expect.eq(hex(mp.encode(-(0 / 0))), "cb7ff8000000000000")  -- any NaN: the canonical one
  end)
  it("uses the smallest int form at every boundary", function()
    local cases = {
      { 127, "7f" }, { 128, "cc80" }, { 255, "ccff" }, { 256, "cd0100" }, { 65535, "cdffff" },
      { 65536, "ce00010000" }, { 2 ^ 32 - 1, "ceffffffff" }, { 2 ^ 32, "cf0000000100000000" },
      { -1, "ff" }, { -32, "e0" }, { -33, "d0df" }, { -128, "d080" }, { -129, "d1ff7f" },
      { -32768, "d18000" }, { -32769, "d2ffff7fff" }, { -2 ^ 31, "d280000000" },
      { -2 ^ 31 - 1, "d3ffffffff7fffffff" },
    }
    for _, c in ipairs(cases) do
      expect.eq(hex(mp.encode(c[1])), c[2], tostring(c[1]))
      expect.eq(mp.decode(unhex(c[2])), c[1], c[2])
    end
  end)
  it("sends valid UTF-8 as str and everything else as bin", function()
    expect.eq(hex(mp.encode("h\195\169")), "a368c3a9")
    expect.eq(hex(mp.encode(("x"):rep(32))):sub(1, 4), "d920")
    expect.eq(hex(mp.encode("\240\159\152\128")), "a4f09f9880")  -- U+1F600
    expect.eq(hex(mp.encode("\0\255")), "c40200ff")
    expect.eq(hex(mp.encode("\192\128")), "c402c080")  -- overlong NUL
    expect.eq(hex(mp.encode("\237\160\128")), "c403eda080")  -- surrogate U+D800
    expect.eq(hex(mp.encode("\244\144\128\128")), "c404f4908080")  -- above U+10FFFF
    expect.eq(hex(mp.encode("a\195")), "c40261c3")  -- truncated sequence
  end)
  it("sends tables with keys 1..n as arrays and the rest as maps", function()
    expect.eq(hex(mp.encode({})), "90")
    expect.eq(hex(mp.encode({ 1, 2 })), "920102")
    expect.eq(hex(mp.encode({ [1] = 1, [3] = 3 })), "8201010303")
    expect.eq(hex(mp.encode({ n = 1 })), "81a16e01")
    expect.eq(hex(mp.encode(mp.array({ nil, true }, 3))), "93c0c3c0")
    expect.eq(hex(mp.encode(mp.map({}))), "80")
    expect.eq(hex(mp.encode(mp.map({ "a" }))), "8101a161")
  end)
  it("sorts map keys: ints, floats, strings bytewise, booleans", function()
    local t = { z = 1, ["\195\169"] = 2, B = 3, a = 4, [true] = 5, [false] = 6, [2] = 7, [-1] = 8, [0.5] = 9 }
    expect.eq(hex(mp.encode(t)),
      "89" .. "ff08" .. "0207" .. "cb3fe000000000000009" .. "a14203" .. "a16104" .. "a17a01"
      .. "a2c3a902" .. "c206" .. "c305")
  end)
  it("writes ext markers with fixext when the size allows", function()
    expect.eq(hex(mp.encode(mp.ext(1, "\7"))), "d40107")
    expect.eq(hex(mp.encode(mp.ext(-1, ("\0"):rep(8)))), "d7ff0000000000000000")
    expect.eq(hex(mp.encode(mp.ext(2, "abc"))), "c70302616263")
    expect.eq(hex(mp.encode(mp.ext(2, ""))), "c70002")
    expect.error(function() mp.ext(128, "") end, "code must be an integer in [-128, 127]")
  end)
  it("passes other values to the hook, or names their type", function()
    local seen
    local out = mp.encode({ f = print }, function(v) seen = v; return 1, "ref" end)
    expect.eq(seen, print)
    expect.eq(hex(out), "81a166c70301726566")
    expect.error(function() mp.encode(print) end, "cannot encode a function without an ext hook")
    expect.error(function() mp.encode(setmetatable({}, {})) end, "a table with a metatable")
    expect.error(function() mp.encode(io.stdout, function() return 1 end) end,
      "the ext hook must return an ext code")
  end)
  it("raises on cycles and on nesting deeper than 64", function()
    local t = {}
    t.self = { t }
    expect.error(function() mp.encode(t) end, "cycle: a table contains itself")
    expect.eq(#mp.encode(nest(64)), 64)
    expect.error(function() mp.encode(nest(65)) end, "nested deeper than 64")
    expect.error(function() mp.encode({ [{}] = 1 }) end, "cannot encode a map key of type table")
  end)
  it("encodes a shared (acyclic) table twice", function()
    local shared = { 1 }
    expect.eq(hex(mp.encode({ shared, shared })), "92910191" .. "01")
  end)
end)

describe("msgpack decode", function()
  it("returns the value and the position after it", function()
    local s = mp.encode("ab") .. mp.encode(7)
    local v, pos = mp.decode(s)
    expect.eq(v, "ab"); expect.eq(pos, 4)
    expect.eq(mp.decode(s:sub(pos)), 7)
  end)
  it("reads every numeric form", function()
    expect.eq(mp.decode(unhex("ca3fc00000")), 1.5)  -- float32
    expect.eq(mp.decode(unhex("d0df")), -33)
    expect.eq(mp.decode(unhex("d3ffffffffffffffff")), -1)
    expect.eq(mp.decode(unhex("d38000000000000000")), -2 ^ 63)
    expect.eq(mp.decode(unhex("cf0020000000000001")), 2 ^ 53)  -- 2^53+1: nearest double
    expect.eq(mp.decode(unhex("cfffffffffffffffff")), 2 ^ 64)
    expect.eq(1 / mp.decode(unhex("cb8000000000000000")), -1 / 0)
  end)
  it("reads str and bin as strings and ext as markers or through the hook", function()
    expect.eq(mp.decode(unhex("c4020102")), "\1\2")
    expect.eq(mp.decode(unhex("da0002c3a9")), "\195\169")
    local e = mp.decode(unhex("c7030561626300"))
    expect.truthy(mp.is_ext(e)); expect.eq(e.code, 5); expect.eq(e.payload, "abc")
    expect.eq(mp.decode(unhex("d4ff07"), function(c, p) return c .. ":" .. p:byte() end), "-1:7")
  end)
  it("records array lengths so nil holes survive a round trip", function()
    local t = mp.decode(unhex("93c0c3c0"))
    expect.eq(mp.array_length(t), 3)
    expect.eq(t[1], nil); expect.eq(t[2], true)
    expect.eq(hex(mp.encode(t)), "93c0c3c0")
    expect.eq(mp.array_length({}), nil)
    expect.eq(mp.array_length(mp.decode(unhex("90"))), 0)
  end)
  it("keeps decoded maps maps, even with keys 1..n or none", function()
    expect.eq(hex(mp.encode((mp.decode(unhex("80"))))), "80")
    expect.eq(hex(mp.encode((mp.decode(unhex("8201a16102a162"))))), "8201a16102a162")
    local t = mp.decode(unhex("81a16101"))
    expect.eq(t.a, 1); expect.eq(mp.array_length(t), nil)
    expect.eq(next((mp.decode(unhex("81a161c0")))), nil)  -- a nil value is an absent key
  end)
  it("rejects nesting deeper than 64", function()
    expect.eq(#mp.decode(("\145"):rep(63) .. "\144"), 1)
    expect.error(function() mp.decode(("\145"):rep(64) .. "\144") end,
      "at byte 64: arrays and maps nested deeper than 64 levels")
  end)
  it("raises clean errors naming the offset on malformed input", function()
    expect.error(function() mp.decode("\193") end, "at byte 0: invalid type byte 0xc1")
    expect.error(function() mp.decode("\146\1\193") end, "at byte 2: invalid type byte 0xc1")
    expect.error(function() mp.decode("") end, "at byte 0: truncated input, expected a value")
    expect.error(function() mp.decode("\146\145\1") end, "at byte 3: truncated input, expected a value")
    expect.error(function() mp.decode("\205\1") end, "truncated input, expected 2 bytes of unsigned int")
    expect.error(function() mp.decode("\219\255\255\255\255abc") end,
      "at byte 5: truncated input, expected 4294967295 bytes of string but 3 remain")
    expect.error(function() mp.decode("\198\255\255\255\255") end, "bytes of binary string")
    expect.error(function() mp.decode("\201\255\255\255\255\1") end, "bytes of ext type and payload")
    expect.error(function() mp.decode("\221\255\255\255\255\1") end,
      "at byte 0: array claims 4294967295 elements but only 1 bytes remain")
    expect.error(function() mp.decode("\223\255\255\255\255\1\1") end, "map claims 4294967295 entries")
    expect.error(function() mp.decode("\129\192\1") end, "at byte 1: map key is nil")
    expect.error(function() mp.decode("\129\203\127\248\0\0\0\0\0\0\1") end, "map key is nan")
    expect.error(function() mp.decode(42) end, "expected a string, got number")
  end)
  it("raises, never crashes, on every prefix and every flipped byte of a message", function()
    local s = mp.encode({ a = { 1, 2.5, "x", { b = true } }, [7] = mp.ext(1, "12345678") })
    for i = 0, #s - 1 do
      expect.truthy(not pcall(mp.decode, s:sub(1, i)), "prefix " .. i)
    end
    for i = 1, #s do
      for _, b in ipairs({ 0x00, 0xc1, 0xdd, 0xff }) do
        local ok, err = pcall(mp.decode, s:sub(1, i - 1) .. string.char(b) .. s:sub(i + 1))
        expect.truthy(ok or err:find("^msgpack: at byte %d+: "), err)
      end
    end
  end)
end)
