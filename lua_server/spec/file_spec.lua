-- torch.File primitives (DiskFile and MemoryFile), binary and ascii, as Torch7 writes them.
local torch = require "torch.env"
local has_tensors = pcall(require, "torch")
require "torch.DiskFile"
require "torch.MemoryFile"
local ffi = require "ffi"

local function tolist(x)
  if type(x) == "table" and not getmetatable(x) then return x end
  local out = {}
  for i = 1, x:size() do out[i] = x[i] end
  return out
end

local tmpfiles = {}
local function tmpname()
  local name = os.tmpname()
  tmpfiles[#tmpfiles + 1] = name
  return name
end

-- the two file classes behind one interface: make a writer, then reopen what it wrote
local backends = {
  {
    name = "MemoryFile",
    writer = function() return torch.MemoryFile("rw") end,
    reopen = function(f) f:seek(1); return f end,
    bytes = function(f) return f:string() end,
  },
  {
    name = "DiskFile",
    writer = function() local p = tmpname(); local f = torch.DiskFile(p, "w"); f._spec_path = p; return f end,
    reopen = function(f) local p = f._spec_path; f:close(); return torch.DiskFile(p, "r") end,
    bytes = function(f)
      f:synchronize()
      local h = io.open(f._spec_path, "rb"); local s = h:read("*a"); h:close(); return s
    end,
  },
}

local function set_mode(f, mode)
  if mode == "binary" then f:binary() else f:ascii() end
  return f
end

local function same_number(a, b)
  if a ~= a then return b ~= b end
  return a == b
end

for _, be in ipairs(backends) do
  for _, mode in ipairs { "binary", "ascii" } do
    describe(be.name .. " " .. mode, function()
      local function roundtrip(write, read)
        local f = set_mode(be.writer(), mode)
        write(f)
        local g = set_mode(be.reopen(f), mode)
        read(g)
        g:close()
      end

      it("round-trips Int, Short, Byte and Char scalars", function()
        local ints = { 0, 1, -1, 123456, 2147483647, -2147483648 }
        local shorts = { 0, -32768, 32767, 42 }
        local bytes = { 0, 1, 127, 128, 255 }
        local chars = { -128, -1, 0, 10, 32, 127 }
        roundtrip(function(f)
          for _, v in ipairs(ints) do f:writeInt(v) end
          for _, v in ipairs(shorts) do f:writeShort(v) end
          for _, v in ipairs(bytes) do f:writeByte(v) end
          for _, v in ipairs(chars) do f:writeChar(v) end
        end, function(g)
          for _, v in ipairs(ints) do expect.eq(g:readInt(), v) end
          for _, v in ipairs(shorts) do expect.eq(g:readShort(), v) end
          for _, v in ipairs(bytes) do expect.eq(g:readByte(), v) end
          for _, v in ipairs(chars) do expect.eq(g:readChar(), v) end
        end)
      end)

      it("round-trips Float and Double scalars, inf and nan included", function()
        local floats = { 1.5, -2.25, 0.125, 3.4028234663852886e38, 1.401298464324817e-45, 1 / 0, -1 / 0, 0 / 0 }
        local doubles = { math.pi, -1 / 3, 1e10, 1e-300, 0.1, 2 ^ 53, 4.9e-324, 1 / 0, -1 / 0, 0 / 0 }
        roundtrip(function(f)
          for _, v in ipairs(floats) do f:writeFloat(v) end
          for _, v in ipairs(doubles) do f:writeDouble(v) end
        end, function(g)
          for _, v in ipairs(floats) do expect.truthy(same_number(g:readFloat(), v), "float " .. v) end
          for _, v in ipairs(doubles) do expect.truthy(same_number(g:readDouble(), v), "double " .. v) end
        end)
      end)

      it("rounds a Float to single precision", function()
        roundtrip(function(f) f:writeFloat(0.1) end, function(g)
          expect.eq(g:readFloat(), tonumber(ffi.new("float", 0.1)))
        end)
      end)

      for _, ls in ipairs { 0, 4, 8 } do
        it("round-trips Longs with longSize(" .. ls .. ")", function()
          local longs = ls == 4 and { 0, -5, 2147483647, -2147483648 }
            or { 0, -5, 2 ^ 40, -(2 ^ 40), 2 ^ 53, -(2 ^ 53) }
          local f = set_mode(be.writer(), mode):longSize(ls)
          for _, v in ipairs(longs) do f:writeLong(v) end
          if mode == "binary" then
            expect.eq(#be.bytes(f), #longs * (ls == 4 and 4 or 8), "bytes per Long")
          end
          local g = set_mode(be.reopen(f), mode):longSize(ls)
          for _, v in ipairs(longs) do expect.eq(g:readLong(), v) end
          g:close()
        end)
      end

      it("round-trips Half scalars", function()
        local halves = { 0, 1.5, -2, 65504, 2 ^ -24, 0.333251953125 }
        roundtrip(function(f)
          for _, v in ipairs(halves) do f:writeHalf(v) end
          f:writeHalf(1 / 3)
        end, function(g)
          for _, v in ipairs(halves) do expect.eq(g:readHalf(), v) end
          expect.eq(g:readHalf(), 0.333251953125, "1/3 rounded to the nearest half")
        end)
      end)

      it("round-trips n-element forms and fills storages", function()
        roundtrip(function(f)
          expect.eq(f:writeInt({ 1, -2, 3 }), 3)
          f:writeDouble({ 0.5, 1e300 })
          f:writeLong({ 2 ^ 40, -7 })
          f:writeChar("a\0b\nc\255")
          f:writeByte({ 0, 200, 255 })
          f:writeFloat({})
        end, function(g)
          expect.same(tolist(g:readInt(3)), { 1, -2, 3 })
          expect.same(tolist(g:readDouble(2)), { 0.5, 1e300 })
          expect.same(tolist(g:readLong(2)), { 2 ^ 40, -7 })
          local chars = g:readChar(6)
          if has_tensors then
            expect.eq(torch.typename(chars), "torch.CharStorage")
            expect.eq(chars:string(), "a\0b\nc\255")
          else
            expect.same(chars, { 97, 0, 98, 10, 99, -1 })
          end
          if has_tensors then
            local s = torch.ByteStorage(3)
            expect.eq(g:readByte(s), 3)
            expect.same(tolist(s), { 0, 200, 255 })
          else
            expect.same(g:readByte(3), { 0, 200, 255 })
          end
          expect.eq(#tolist(g:readFloat(0)), 0)
        end)
      end)

      it("round-trips strings holding any byte", function()
        local all = {}
        for i = 0, 255 do all[#all + 1] = string.char(i) end
        local s = table.concat(all) .. "\n\0end"
        roundtrip(function(f)
          f:writeInt(#s)
          f:writeString(s)
        end, function(g)
          local n = g:readInt()
          expect.eq(n, #s)
          expect.eq(g:readString("*a"), s)
        end)
      end)

      it("writes and reads booleans as Int 1/0", function()
        roundtrip(function(f)
          f:writeBool(true); f:writeBool(false); f:writeInt(2)
        end, function(g)
          expect.eq(g:readBool(), true)
          expect.eq(g:readBool(), false)
          expect.eq(g:readBool(), false, "only 1 is true")
        end)
      end)

      it("raises on reading past the end, unless quiet", function()
        local f = set_mode(be.writer(), mode)
        f:writeInt(7)
        local g = set_mode(be.reopen(f), mode)
        expect.eq(g:readInt(), 7)
        expect.error(function() g:readInt() end, "read error: read 0 blocks instead of 1")
        expect.truthy(g:hasError())
        g:clearError():quiet()
        expect.eq(g:hasError(), false)
        expect.eq(g:readDouble(), 0)
        expect.truthy(g:hasError())
        expect.truthy(g:isQuiet())
        g:close()
      end)
    end)
  end

  describe(be.name, function()
    it("seeks and reports positions 1-based", function()
      local f = be.writer():binary()
      expect.eq(f:position(), 1)
      f:writeInt(1); f:writeInt(2); f:writeInt(3)
      expect.eq(f:position(), 13)
      local g = be.reopen(f):binary()
      g:seek(5)
      expect.eq(g:readInt(), 2)
      g:seekEnd()
      expect.eq(g:position(), 13)
      g:seek(1)
      expect.eq(g:readInt(), 1)
      expect.error(function() g:seek(0) end, "position has to be greater than 0")
      g:close()
      expect.error(function() g:readInt() end, "attempt to use a closed file")
    end)

    it("reports its mode flags", function()
      local f = be.writer()
      expect.eq(f:isBinary(), false, "Torch7 files start in ascii")
      expect.eq(f:isAutoSpacing(), true)
      expect.eq(f:isWritable(), true)
      f:binary()
      expect.eq(f:isBinary(), true)
      f:close()
    end)

    it("is a torch.File", function()
      local f = be.writer()
      expect.truthy(torch.isTypeOf(f, "torch.File"))
      expect.eq(torch.typename(f), "torch." .. be.name)
      f:close()
    end)
  end)
end

describe("ascii encoding", function()
  it("prints arrays on one line, separated by spaces, as Torch7 does", function()
    local f = torch.MemoryFile()
    f:writeInt({ 1, -2, 3 })
    f:writeDouble(0.1)
    f:writeFloat(0.1)
    f:writeLong(2 ^ 40)
    f:writeChar("hi")
    f:writeInt({})
    f:writeShort(-7)
    f:writeFloat({ 1e10, 123456789, -0.0, 2.5 })
    f:writeDouble({ 1e17, 1e16, -0.0, 3, 2 ^ 60 })
    expect.eq(f:string(), "1 -2 3\n0.10000000000000001\n0.100000001\n1099511627776\nhi\n-7\n"
      .. "1e+10 123456792 -0 2.5\n1e+17 10000000000000000 -0 3 1.152921504606847e+18\n")
  end)

  it("prints inf and nan as C's printf does and reads them back", function()
    local f = torch.MemoryFile()
    local neg_nan = ffi.new("union { uint64_t u; double d; }", { u = 0xfff8000000000000ULL }).d
    local pos_nan = ffi.new("union { uint64_t u; double d; }", { u = 0x7ff8000000000000ULL }).d
    f:writeDouble({ 1 / 0, -1 / 0, pos_nan, neg_nan })
    f:writeFloat(-1 / 0)
    expect.eq(f:string(), "inf -inf nan -nan\n-inf\n")
    f:seek(1)
    local d = tolist(f:readDouble(4))
    expect.eq(d[1], 1 / 0); expect.eq(d[2], -1 / 0)
    expect.truthy(d[3] ~= d[3]); expect.truthy(d[4] ~= d[4])
    expect.eq(f:readFloat(), -1 / 0)
  end)

  it("reads numbers written with other spacing, as scanf does", function()
    local f = torch.MemoryFile("  12\n\t-3   4.5e1 INF 0x10\n", "r")
    expect.eq(f:readInt(), 12)
    expect.eq(f:readInt(), -3)
    expect.eq(f:readDouble(), 45)
    expect.eq(f:readDouble(), 1 / 0)
    expect.eq(f:readDouble(), 16)
  end)

  it("drops the separators with noAutoSpacing", function()
    local f = torch.MemoryFile():noAutoSpacing()
    f:writeInt({ 1, 2 })
    f:writeChar("ab")
    expect.eq(f:string(), "12ab")
  end)

  it("refuses text that is not a number", function()
    local f = torch.MemoryFile("12x4\n", "r")
    expect.error(function() f:readInt() end, "read error: read 0 blocks instead of 1")
  end)
end)

describe("torch.MemoryFile", function()
  it("grows as it is written", function()
    local f = torch.MemoryFile():binary()
    for i = 1, 100000 do f:writeInt(i) end
    expect.eq(#f:string(), 400000)
    f:seek(4 * 99999 + 1)
    expect.eq(f:readInt(), 100000)
  end)

  it("reads from a string and refuses to write in mode 'r'", function()
    local f = torch.MemoryFile("7\n", "r")
    expect.eq(f:readInt(), 7)
    expect.error(function() f:writeInt(1) end, "attempt to write in a read-only file")
  end)

  it("refuses a bad mode", function()
    expect.error(function() torch.MemoryFile("x") end, "file mode should be 'r','w' or 'rw'")
  end)

  if has_tensors then
    it("reads and writes HalfStorages", function()
      require "torch.serialize"
      local f = torch.MemoryFile():binary()
      f:writeHalf(torch.FloatStorage({ 1.5, -2, 65504 }):type("torch.HalfStorage"))
      expect.eq(#f:string(), 6)
      f:seek(1)
      local h = f:readHalf(3)
      expect.eq(torch.typename(h), "torch.HalfStorage")
      expect.same(tolist(h:type("torch.FloatStorage")), { 1.5, -2, 65504 })
    end)

    it("hands its contents back as a NUL-terminated CharStorage and reads one", function()
      local f = torch.MemoryFile():binary()
      f:writeInt(258)
      local s = f:storage()
      expect.eq(torch.typename(s), "torch.CharStorage")
      expect.eq(s:size(), 5)
      expect.eq(s:string(), "\2\1\0\0\0")
      local g = torch.MemoryFile(s):binary()
      expect.eq(g:readInt(), 258)
      expect.error(function() torch.MemoryFile(torch.CharStorage(2):fill(65)) end,
        "provided CharStorage must be terminated by 0")
    end)
  end
end)

describe("torch.DiskFile", function()
  it("fails to open a missing file, or returns nil when quiet", function()
    expect.error(function() torch.DiskFile("/nonexistent/dir/x.t7", "r") end, "cannot open </nonexistent/dir/x.t7>")
    expect.eq(torch.DiskFile("/nonexistent/dir/x.t7", "r", true), nil)
    expect.error(function() torch.DiskFile(tmpname(), "a") end, "file mode should be 'r','w' or 'rw'")
  end)

  it("reads back what it wrote in mode 'rw'", function()
    local p = tmpname()
    local f = torch.DiskFile(p, "rw"):binary()
    f:writeInt(5); f:writeDouble(2.5)
    f:seek(1)
    expect.eq(f:readInt(), 5)
    expect.eq(f:readDouble(), 2.5)
    f:writeInt(9)
    f:seek(13)
    expect.eq(f:readInt(), 9)
    expect.eq(f:name(), p)
    f:close()
  end)

  it("refuses writes to a read-only file", function()
    local p = tmpname()
    torch.DiskFile(p, "w"):close()
    local f = torch.DiskFile(p, "r")
    expect.error(function() f:writeInt(1) end, "attempt to write in a read-only file")
    f:close()
  end)

  it("switches byte order on request", function()
    local p = tmpname()
    local f = torch.DiskFile(p, "w"):binary():bigEndianEncoding()
    f:writeInt(1); f:writeShort(2); f:writeDouble(1)
    f:close()
    local h = io.open(p, "rb"); local s = h:read("*a"); h:close()
    expect.eq(s, "\0\0\0\1\0\2\63\240\0\0\0\0\0\0")
    local g = torch.DiskFile(p, "r"):binary():bigEndianEncoding()
    expect.eq(g:readInt(), 1); expect.eq(g:readShort(), 2); expect.eq(g:readDouble(), 1)
    g:close()
    expect.eq(torch.DiskFile.isLittleEndianCPU(), ffi.abi("le"))
  end)

  it("reads lines with readString('*l')", function()
    local p = tmpname()
    local f = torch.DiskFile(p, "w")
    f:writeString("first line\nsecond\n")
    f:close()
    local g = torch.DiskFile(p, "r")
    expect.eq(g:readString("*l"), "first line")
    expect.eq(g:readString("*l"), "second")
    expect.error(function() g:readString("*l") end, "read error")
    expect.error(function() g:readString("*x") end, "format must be '*a' or '*l'")
    g:close()
  end)
end)

describe("torch.File", function()
  it("is abstract", function()
    expect.error(function() torch.File():readInt() end, "torch.File is abstract")
  end)
end)

for _, p in ipairs(tmpfiles) do os.remove(p) end
