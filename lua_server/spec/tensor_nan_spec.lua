-- NaN payloads crossing from C into Lua (cnumber.lua, the shim's scalar results): every
-- path that turns a C double or float into a Lua number must give Lua a NaN it can use
-- (type "number", x ~= x), whatever the bit pattern; infinities must stay infinities.
require "torch"
local ffi = require "ffi"

local DOUBLE_NANS = {  -- bit patterns as int64
  ["quiet +"] = 0x7FF8000000000000LL, ["quiet - (LuaJIT's own)"] = ffi.cast("int64_t", 0xFFF8000000000000ULL),
  ["signalling +"] = 0x7FF0000000000001LL, ["signalling -"] = ffi.cast("int64_t", 0xFFF0000000000001ULL),
  ["all ones"] = -1LL, ["all ones but sign"] = 0x7FFFFFFFFFFFFFFFLL,
  ["issue 12's -703687441772544"] = -703687441772544LL,
  ["LuaJIT tag space"] = ffi.cast("int64_t", 0xFFFF800000000000ULL),
}
local FLOAT_NANS = {  -- bit patterns as int32
  ["quiet +"] = 0x7FC00000, ["quiet -"] = bit.tobit(0xFFC00000),
  ["signalling +"] = 0x7F800001, ["signalling -"] = bit.tobit(0xFF800001),
  ["all ones"] = -1, ["all ones but sign"] = 0x7FFFFFFF,
}

local function is_nan(x) return type(x) == "number" and x ~= x end

-- a 1-D tensor of `n` copies of the given bits, `fill` elsewhere
local function doubles_with(bits, n, at)
  local t = torch.DoubleTensor(n):fill(1)
  ffi.cast("int64_t*", t:data())[at - 1] = bits
  return t
end
local function floats_with(bits, n, at)
  local t = torch.FloatTensor(n):fill(1)
  ffi.cast("int32_t*", t:data())[at - 1] = bits
  return t
end

local function each_payload(fn)
  for name, bits in pairs(DOUBLE_NANS) do fn("double " .. name, doubles_with(bits, 5, 3)) end
  for name, bits in pairs(FLOAT_NANS) do fn("float " .. name, floats_with(bits, 5, 3)) end
end

describe("element reads", function()
  it("t[i], t[{i}], t[{i, j}], select and storage reads give a usable NaN", function()
    each_payload(function(what, t)
      expect.truthy(is_nan(t[3]), what .. ": t[3]")
      expect.truthy(is_nan(t[{ 3 }]), what .. ": t[{3}]")
      expect.truthy(is_nan(t:view(5, 1)[{ 3, 1 }]), what .. ": t[{3, 1}]")
      expect.truthy(is_nan(t:select(1, 3)), what .. ": select")
      expect.truthy(is_nan(t:storage()[3]), what .. ": storage[3]")
      expect.truthy(is_nan(t:storage():totable()[3]), what .. ": storage totable")
      expect.truthy(is_nan(t:totable()[3]), what .. ": totable")
      expect.eq(t[2], 1, what .. ": neighbour")
    end)
  end)

  it("apply, map and map2 pass the NaN to the callback", function()
    each_payload(function(what, t)
      local seen = {}
      t:apply(function(x) seen[#seen + 1] = x end)
      expect.truthy(is_nan(seen[3]), what .. ": apply")
      local other = t:clone():fill(0)
      other:map(t, function(_, y) seen.map = y == y and seen.map or y end)
      expect.truthy(is_nan(seen.map), what .. ": map")
      other:map2(t, t, function(_, _, z) seen.map2 = z == z and seen.map2 or z end)
      expect.truthy(is_nan(seen.map2), what .. ": map2")
    end)
  end)

  it("printing shows nan", function()
    each_payload(function(what, t)
      expect.truthy(tostring(t):find("nan"), what .. ": tostring(t)")
      expect.truthy(tostring(t:storage()):find("nan"), what .. ": tostring(storage)")
    end)
  end)

  it("infinities and signed zeros stay what they are", function()
    local t = torch.DoubleTensor({ math.huge, -math.huge, -0.0 })
    expect.eq(t[1], math.huge); expect.eq(t[2], -math.huge)
    expect.eq(1 / t[3], -math.huge, "-0")
    local f = torch.FloatTensor({ math.huge, -math.huge })
    expect.eq(f[1], math.huge); expect.eq(f:storage()[2], -math.huge)
  end)
end)

describe("reductions and scalar results", function()
  it("max, min, sum, mean, prod, std of a tensor holding NaN are NaN", function()
    each_payload(function(what, t)
      for _, f in ipairs({ "max", "min", "sum", "mean", "prod", "std", "var", "norm" }) do
        expect.truthy(is_nan(t[f](t)), what .. ": " .. f)
      end
      local v = t:max(1)
      expect.truthy(is_nan(v[1]), what .. ": max(1) values")
      expect.truthy(is_nan(torch.max(t)), what .. ": torch.max")
    end)
  end)

  it("Torch7's case: randn with one NaN prints nan nan", function()
    local m = torch.randn(10)
    m[5] = 0 / 0
    expect.truthy(is_nan(m:max()) and is_nan(m:min()), "max and min")
  end)
end)

describe("files", function()
  local function binary_file_with(write)
    local f = torch.MemoryFile()
    f:binary()
    write(f)
    f:seek(1)
    return f
  end

  it("readDouble / readFloat of NaN bytes, one, many and into a table", function()
    for name, bits in pairs(DOUBLE_NANS) do
      local s = torch.LongStorage(2)
      ffi.cast("int64_t*", s:data())[0] = bits
      ffi.cast("int64_t*", s:data())[1] = bits
      local f = binary_file_with(function(g) g:writeLong(s) end)
      expect.truthy(is_nan(f:readDouble()), "double " .. name .. ": readDouble()")
      f:seek(1)
      local two = f:readDouble(2)
      expect.truthy(is_nan(two[1]) and is_nan(two[2]), "double " .. name .. ": readDouble(2)")
      f:close()
    end
    for name, bits in pairs(FLOAT_NANS) do
      local f = binary_file_with(function(g) g:writeInt(bits) end)
      expect.truthy(is_nan(f:readFloat()), "float " .. name .. ": readFloat()")
      f:close()
    end
  end)

  it("the issue's crash: the 8 bytes of -703687441772544 read as a double", function()
    local f = binary_file_with(function(g) g:writeLong(-703687441772544) end)
    expect.truthy(is_nan(f:readDouble()))
  end)

  it("ascii NaN, and a number object in a .t7 stream", function()
    local f = torch.MemoryFile()
    f:writeString("-nan nan\n")
    f:seek(1)
    expect.truthy(is_nan(f:readDouble()), "ascii readDouble")
    expect.truthy(is_nan(f:readFloat()), "ascii readFloat")
    f:close()
    local g = binary_file_with(function(h)
      h:writeInt(1)  -- TYPE_NUMBER, then the number's 8 bytes
      h:writeLong(-1)
    end)
    expect.truthy(is_nan(g:readObject()), "readObject")
  end)

  it("a NaN written in ascii reads back as NaN", function()
    local t = doubles_with(-1LL, 3, 2)
    local f = torch.MemoryFile()
    f:writeDouble(t:storage())
    f:seek(1)
    local back = f:readDouble(3)
    expect.truthy(is_nan(back[2]) and back[1] == 1)
  end)
end)
