-- The .t7 object grammar: Lua values, references, functions, classes, placeholders, the
-- Lua-valued Torch7 fixtures, and corrupt input.
local torch = require "torch.env"
local has_tensors = pcall(require, "torch")
local serialize = require "torch.serialize"
local File = require "torch.File"
if has_tensors then require("torch.serialize_tensor").install(torch) end

local src = debug.getinfo(1, "S").source:sub(2)
local root = (src:match("^(.*)/[^/]*$") or ".") .. "/../.."
local FIX = root .. "/tests/fixtures/"

local function read_bytes(path)
  local h = assert(io.open(path, "rb"))
  local s = h:read("*a")
  h:close()
  return s
end

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- raw binary bytes, for hand-made files
local function bytes(build)
  local f = torch.MemoryFile("rw"):binary()
  local w = {
    int = function(v) f:writeInt(v) end,
    long = function(v) f:writeLong(v) end,
    double = function(v) f:writeDouble(v) end,
    str = function(s) f:writeInt(#s); f:writeChar(s) end,
    raw = function(s) f:writeChar(s) end,
    object = function(o) f:writeObject(o) end,
  }
  build(w)
  return f:string()
end

local function roundtrip(value, mode)
  return torch.deserialize(torch.serialize(value, mode), mode)
end

local tmpfiles = {}
local function tmpname()
  local p = os.tmpname()
  tmpfiles[#tmpfiles + 1] = p
  return p
end

describe("Lua values", function()
  for _, mode in ipairs { "binary", "ascii" } do
    it("round-trip scalars in " .. mode, function()
      for _, v in ipairs { 0, -1.5, 2 ^ 53, 1e-300, 1 / 0, -1 / 0, "", "a\0b\255\n", true, false } do
        expect.eq(roundtrip(v, mode), v)
      end
      expect.eq(roundtrip(nil, mode), nil)
      local nan = roundtrip(0 / 0, mode)
      expect.truthy(nan ~= nan, "nan")
    end)

    it("round-trip nested tables with cycles and shared references in " .. mode, function()
      local shared = { "shared" }
      local t = { 1, 2, { deep = { deeper = "x" } }, a = shared, b = shared, [true] = "yes",
                  [false] = 0, [2.5] = "frac", [-3] = "neg" }
      t.self = t
      t[shared] = "table key"
      local u = roundtrip(t, mode)
      expect.eq(u.self, u, "cycle keeps identity")
      expect.eq(u.a, u.b, "shared table loads once")
      expect.same(u.a, { "shared" })
      expect.eq(u[u.a], "table key", "a table key is the same table as the value")
      expect.eq(u[3].deep.deeper, "x")
      expect.eq(u[true], "yes"); expect.eq(u[false], 0); expect.eq(u[2.5], "frac"); expect.eq(u[-3], "neg")
      expect.eq(u[1], 1); expect.eq(u[2], 2)
      expect.eq(count(u), count(t))
    end)

    it("keep the holes of a table with nils in " .. mode, function()
      local u = roundtrip({ 1, nil, 3, x = nil, y = false }, mode)
      expect.eq(u[1], 1); expect.eq(u[2], nil); expect.eq(u[3], 3); expect.eq(u.y, false)
      expect.eq(count(u), 3)
    end)
  end

  it("encode {hello = 123} in ascii exactly as Torch7", function()
    expect.eq(torch.serialize({ hello = 123 }, "ascii"), "3\n1\n1\n2\n5\nhello\n1\n123\n")
  end)

  it("encode a table in binary exactly as Torch7", function()
    expect.eq(torch.serialize({ hello = 123 }), read_bytes(FIX .. "torchfile/hello=123.t7"))
  end)

  it("round-trip tables nested deeper than one Lua stack holds", function()
    local t = {}
    local cur = t
    for _ = 1, 20000 do cur.next = {}; cur = cur.next end
    cur.leaf = true
    local u, depth = torch.deserialize(torch.serialize(t)), 0
    while u.next do u = u.next; depth = depth + 1 end
    expect.eq(depth, 20000)
    expect.eq(u.leaf, true)
  end)

  it("copy shared references when referenced(false)", function()
    local shared = {}
    local u = torch.deserialize(torch.serialize({ a = shared, b = shared }))
    expect.eq(u.a, u.b)
    local p = tmpname()
    torch.save(p, { a = shared, b = shared }, "binary", false)
    local v = torch.load(p, "binary", false)
    expect.truthy(v.a ~= v.b, "each reference written in full")
    expect.same(v.a, {})
  end)

  it("write several objects to one file with one reference table", function()
    local f = torch.MemoryFile():binary()
    local shared = { 1 }
    f:writeObject(shared)
    f:writeObject({ again = shared })
    f:seek(1)
    local a = f:readObject()
    local b = f:readObject()
    expect.eq(b.again, a)
  end)

  it("refuse values that cannot be written, naming where they are", function()
    expect.error(function() torch.serialize({ a = { b = coroutine.create(print) } }) end,
      "Unwritable object <thread> at <?>.a.b")
    expect.error(function() torch.serialize(print) end, "Unwritable object <function>")
  end)

  it("apply a hook to what is written", function()
    local f = torch.MemoryFile():binary()
    f:writeObject({ x = 1, y = "s" }, nil, function(o) return type(o) == "number" and o * 10 or o end)
    f:seek(1)
    expect.same(f:readObject(), { x = 10, y = "s" })
  end)

  it("save and load through DiskFile, binary and ascii", function()
    for _, mode in ipairs { "binary", "ascii" } do
      local p = tmpname()
      torch.save(p, { list = { 1, 2, 3 }, name = "n" }, mode)
      expect.same(torch.load(p, mode), { list = { 1, 2, 3 }, name = "n" })
    end
    expect.error(function() torch.save(tmpname(), 1, "text") end, "mode must be")
  end)
end)

describe("functions", function()
  it("round-trip with their upvalues", function()
    local base, scale = 10, { k = 3 }
    local function f(x) return base + x * scale.k end
    for _, mode in ipairs { "binary", "ascii" } do
      local g = roundtrip(f, mode)
      expect.eq(g(2), 16)
      local t = roundtrip({ fn = f, scale = scale }, mode)
      expect.eq(t.fn(1), 13)
      t.scale.k = 5
      expect.eq(t.fn(1), 15, "the upvalue table is the table saved next to it")
    end
  end)

  it("keep recursion and shared upvalues", function()
    local counter = 0
    local function fact(n) return n <= 1 and 1 or n * fact(n - 1) end
    local function inc() counter = counter + 1; return counter end
    local function get() return counter end
    local t = roundtrip({ fact = fact, inc = inc, get = get })
    expect.eq(t.fact(5), 120)
    t.inc(); t.inc()
    expect.eq(t.get(), 2, "inc and get still share one counter")
  end)

  it("read legacy tags 6 and 7 (upvalues by position)", function()
    local k = 4
    local function f() return k end
    local code = string.dump(f)
    local legacy6 = bytes(function(w)
      w.int(6); w.str(code)
      w.int(3); w.int(1); w.int(1); w.int(1); w.double(1); w.int(1); w.double(41)
    end)
    expect.eq(torch.deserialize(legacy6)(), 41)
    local legacy7 = bytes(function(w)
      w.int(7); w.int(1); w.str(code)
      w.int(3); w.int(2); w.int(1); w.int(1); w.double(1); w.int(1); w.double(42)
    end)
    expect.eq(torch.deserialize(legacy7)(), 42)
  end)
end)

describe("torch classes", function()
  local Point = torch.class("specser.Point")
  function Point:__init(x, y) self.x, self.y = x, y end
  function Point:norm2() return self.x * self.x + self.y * self.y end

  local Versioned = torch.class("specser.Versioned")
  Versioned.__version = 3
  function Versioned:write(file)
    file:writeObject(self.payload)
    file:writeInt(77)
  end
  function Versioned:read(file, version)
    self.payload = file:readObject()
    self.extra = file:readInt()
    self.version_read = version
  end

  it("round-trip as their own class without calling __init", function()
    local p = specser.Point(3, 4)
    p.self = p
    for _, mode in ipairs { "binary", "ascii" } do
      local q = roundtrip({ p, p }, mode)
      expect.eq(torch.typename(q[1]), "specser.Point")
      expect.eq(q[1], q[2])
      expect.eq(q[1].self, q[1])
      expect.eq(q[1]:norm2(), 25)
    end
  end)

  it("use the class's own write and read, with its version", function()
    local v = specser.Versioned()
    v.payload = { 1, 2 }
    local s = torch.serialize(v)
    expect.eq(s:sub(9, 15), "\3\0\0\0V 3", "version string V 3")
    local w = torch.deserialize(s)
    expect.same(w.payload, { 1, 2 })
    expect.eq(w.extra, 77)
    expect.eq(w.version_read, 3)
  end)

  it("read a legacy header without a version as version 0", function()
    local s = bytes(function(w)
      w.int(4); w.int(100); w.str("specser.Versioned")
      w.object({ "legacy" }); w.int(5)
    end)
    local v = torch.deserialize(s)
    expect.eq(v.version_read, 0)
    expect.same(v.payload, { "legacy" })
    expect.eq(v.extra, 5)
  end)

  it("skip a field holding a C pointer (t:cdata()), with Torch7's warning", function()
    if not has_tensors then return end
    local p = specser.Point(1, 2)
    local t = torch.Tensor(3)
    p.handle = t:cdata()
    expect.eq(type(p.handle), "cdata")
    expect.eq(type(t:storage():cdata()), "cdata")
    local warned = {}
    local stderr = io.stderr
    io.stderr = { write = function(_, s) warned[#warned + 1] = s end }
    local ok, q = pcall(roundtrip, p, "binary")
    io.stderr = stderr
    expect.truthy(ok, tostring(q))
    expect.eq(q.handle, nil, "the pointer is not written")
    expect.eq(q.x + q.y, 3, "the other fields are")
    expect.truthy(table.concat(warned):find("cannot write object field <handle> of <specser.Point>", 1, true),
      table.concat(warned))
  end)
end)

describe("classes this runtime lacks", function()
  it("load as placeholders holding their fields", function()
    local s = bytes(function(w)
      w.int(4); w.int(1); w.str("V 2"); w.str("dpnn.Fancy")
      w.int(3); w.int(2); w.int(1); w.int(2); w.str("size"); w.int(1); w.double(7)
    end)
    local obj = torch.deserialize(s)
    expect.eq(torch.typename(obj), "torch.UnknownClass")
    expect.truthy(torch.isTypeOf(obj, "torch.UnknownClass"))
    expect.eq(torch.unknownClassName(obj), "dpnn.Fancy")
    expect.eq(obj.size, 7)
    expect.error(function() obj:forward(1) end, "class 'dpnn.Fancy' is not available in this runtime")
    expect.eq(tostring(obj), "<dpnn.Fancy (class not available)>")
    expect.eq(torch.serialize(obj), s, "saved again as the class it stands for")
  end)

  it("unwrap nn.DataParallelTable to its inner module", function()
    local s = bytes(function(w)
      w.int(4); w.int(1); w.str("V 1"); w.str("nn.DataParallelTable")
      w.int(3); w.int(2); w.int(1)
      w.int(2); w.str("modules")
      w.int(3); w.int(3); w.int(1); w.int(1); w.double(1)
      w.int(3); w.int(4); w.int(1); w.int(2); w.str("name"); w.int(2); w.str("inner")
    end)
    expect.same(torch.deserialize(s), { name = "inner" })
  end)

  it("map cudnn.X to nn.X when nn.X exists", function()
    local Fake = torch.class("specalias.Layer")
    expect.eq(serialize.aliasClass("cudnn.SpecNoSuchLayer"), "cudnn.SpecNoSuchLayer")
    expect.eq(serialize.aliasClass("torch.CudaTensor"), "torch.FloatTensor")
    expect.eq(serialize.aliasClass("torch.CudaDoubleStorage"), "torch.DoubleStorage")
    expect.eq(serialize.aliasClass("torch.CudaLongTensor"), "torch.LongTensor")
    local ok, nn = pcall(require, "nn")
    if ok and nn.ReLU then
      expect.eq(serialize.aliasClass("cudnn.ReLU"), "nn.ReLU")
      local s = bytes(function(w)
        w.int(4); w.int(1); w.str("V 1"); w.str("cudnn.ReLU")
        w.int(3); w.int(2); w.int(1); w.int(2); w.str("inplace"); w.int(5); w.int(0)
      end)
      local m = torch.deserialize(s)
      expect.eq(torch.typename(m), "nn.ReLU")
      expect.eq(m.inplace, false)
    end
    expect.truthy(Fake)
  end)
end)

describe("python-torchfile fixtures", function()
  local function load(name) return torch.load(FIX .. "torchfile/" .. name) end

  it("hello=123.t7 is {hello = 123}", function()
    expect.same(load("hello=123.t7"), { hello = 123 })
  end)

  it("list_table.t7 and map_table*.t7 hold their values", function()
    expect.same(load("list_table.t7"), { "hello", "world", "third item", 123 })
    expect.same(load("map_table1.t7"), { [0] = "zero", "hello", "world", "third item", 123 })
    expect.same(load("map_table2.t7"), { "hello", "world", "third item", 123, a = "non number key" })
  end)

  it("recursive_kv_table.t7 is t with t[t] = t", function()
    local t = load("recursive_kv_table.t7")
    local k, v = next(t)
    expect.eq(k, t); expect.eq(v, t)
    expect.eq(count(t), 1)
  end)

  it("recursive_class.t7 is an A whose a is itself", function()
    local obj = load("recursive_class.t7")
    expect.eq(torch.unknownClassName(obj), "A")
    expect.eq(obj.a, obj)
    expect.eq(count(obj), 1)
  end)

  it("custom_class.t7 is a Blah with no fields, placeholder or real", function()
    local obj = load("custom_class.t7")
    expect.eq(torch.unknownClassName(obj), "Blah")
    expect.eq(count(obj), 0)
    expect.eq(torch.serialize(obj), read_bytes(FIX .. "torchfile/custom_class.t7"))
    local Blah = torch.class("Blah")
    function Blah:hello() return "hi" end
    local real = load("custom_class.t7")
    expect.eq(torch.typename(real), "Blah")
    expect.eq(real:hello(), "hi")
  end)

  it("tds_hash.t7 loads as a tds.Hash placeholder with its 3 entries", function()
    local h = load("tds_hash.t7")
    expect.eq(torch.unknownClassName(h), "tds.Hash")
    expect.eq(h[1], 2); expect.eq(h[10], 11); expect.eq(h[2], 3)
    expect.eq(count(h), 3)
    expect.error(function() h:keys() end, "class 'tds.Hash' is not available in this runtime")
    local again = torch.deserialize(torch.serialize(h))
    expect.eq(torch.unknownClassName(again), "tds.Hash")
    expect.same({ again[1], again[2], again[10] }, { 2, 3, 11 })
    expect.eq(#torch.serialize(h), #read_bytes(FIX .. "torchfile/tds_hash.t7"))
  end)

  it("tds_vec.t7 loads as a tds.Vec placeholder {123, 456}", function()
    local v = load("tds_vec.t7")
    expect.eq(torch.unknownClassName(v), "tds.Vec")
    expect.eq(v[1], 123); expect.eq(v[2], 456); expect.eq(count(v), 2)
    expect.eq(torch.serialize(v), read_bytes(FIX .. "torchfile/tds_vec.t7"), "same bytes again")
  end)

  it("function.t7 loads as a function that cannot run here (non-GC64 bytecode)", function()
    local f = load("function.t7")
    expect.eq(type(f), "function")
    local info = File.foreignFunctionInfo(f)
    expect.eq(info.bytecode:sub(1, 4), "\27LJ\1")
    expect.error(f, "cannot run a function loaded from a .t7 file")
    expect.eq(torch.serialize(f), read_bytes(FIX .. "torchfile/function.t7"), "same bytes again")
  end)

  it("function_upvals.t7 keeps its upvalue asdf = 123", function()
    local f = load("function_upvals.t7")
    local info = File.foreignFunctionInfo(f)
    expect.eq(#info.upvalues, 1)
    expect.eq(info.upvalues[1].name, "asdf")
    expect.eq(info.upvalues[1].value, 123)
    local g = torch.deserialize(torch.serialize(f))
    expect.eq(File.foreignFunctionInfo(g).upvalues[1].value, 123)
    expect.eq(File.foreignFunctionInfo(g).bytecode, info.bytecode)
  end)
end)

if has_tensors then
  describe("Torch7 fixtures with Lua values", function()
    local function check_nested(n)
      expect.eq(n.self_ref, n.list, "self_ref is the same table as list")
      expect.eq(n.list[1], 1); expect.eq(n.list[2], 2); expect.eq(n.list[3], 3)
      expect.eq(n.list[4], "four")
      expect.same(n.list[5], { five = 5 })
      expect.eq(count(n.list), 5)
      expect.eq(n[true], "boolean key")
      expect.eq(n[10], "ten")
      expect.eq(n[2.5], "two and a half")
      expect.same(n.nested, { deep = { deeper = { tag = "leaf", value = -1.5 } } })
      expect.eq(n.unicode, "h\195\169llo")
      expect.eq(n.ratio, 0.1)
      expect.eq(n.negative, -42.5)
      expect.eq(n.big, 2 ^ 53)
      expect.eq(n.no, false)
      expect.eq(n.yes, true)
      expect.same(n.empty, {})
      expect.eq(n.version, 7)
      expect.eq(n.name, "torch7 fixture")
      expect.eq(torch.typename(n.tensor), "torch.IntTensor")
      expect.eq(n.tensor:nDimension(), 1)
      expect.eq(n.tensor:size(1), 3)
      expect.same({ n.tensor[1], n.tensor[2], n.tensor[3] }, { 7, 8, 9 })
      expect.eq(count(n), 16)
    end

    it("nested_table.t7 holds the stated values", function()
      check_nested(torch.load(FIX .. "torch7/nested_table.t7"))
    end)

    it("nested_table_ascii.t7 holds the same values", function()
      check_nested(torch.load(FIX .. "torch7/nested_table_ascii.t7", "ascii"))
    end)

    it("nested_table saved again loads with the same values", function()
      local n = torch.load(FIX .. "torch7/nested_table.t7")
      for _, mode in ipairs { "binary", "ascii" } do
        check_nested(roundtrip(n, mode))
      end
      expect.eq(#torch.serialize(n), #read_bytes(FIX .. "torch7/nested_table.t7"))
      expect.eq(#torch.serialize(n, "ascii"), #read_bytes(FIX .. "torch7/nested_table_ascii.t7"))
    end)
  end)
end

describe("corrupt and truncated input", function()
  local good = read_bytes(FIX .. (has_tensors and "torch7/nested_table.t7" or "torchfile/map_table2.t7"))

  it("every truncation raises an error naming a byte offset", function()
    for n = 0, #good - 1 do
      local ok, err = pcall(torch.deserialize, good:sub(1, n))
      if ok then error("a prefix of " .. n .. " bytes loaded") end
      if not tostring(err):find("corrupt or truncated .t7 data at byte offset", 1, true) then
        error("prefix of " .. n .. " bytes: " .. tostring(err))
      end
    end
  end)

  it("an unknown type tag names its offset", function()
    local s = "\3\0\0\0\1\0\0\0\1\0\0\0\2\0\0\0\1\0\0\0a\9\0\0\0"
    expect.error(function() torch.deserialize(s) end,
      "at byte offset 21: unknown object type tag 9 (expected 0 to 8)")
  end)

  it("a string longer than the rest of the file is refused", function()
    local s = "\2\0\0\0\255\255\255\127abc"
    expect.error(function() torch.deserialize(s) end,
      "byte offset 4: length of a string 2147483647 needs at least 2147483647 bytes but only 3 remain")
    expect.error(function() torch.deserialize("\2\0\0\0\255\255\255\255") end, "negative length of a string -1")
  end)

  it("nesting beyond File.maxReadDepth is refused", function()
    local level = "\3\0\0\0\1\0\0\0\1\0\0\0\5\0\0\0\1\0\0\0" -- {[true] = <next>}, 20 bytes
    local f = torch.MemoryFile(string.rep(level, 3000) .. "\0\0\0\0", "r"):binary():referenced(false)
    local saved = File.maxReadDepth
    File.maxReadDepth = 2500
    local ok, err = pcall(f.readObject, f)
    File.maxReadDepth = saved
    expect.eq(ok, false)
    expect.truthy(tostring(err):find("at byte offset 49992: objects nested more than 2500 levels deep", 1, true), err)
  end)

  it("a table claiming more entries than the file holds is refused at once", function()
    expect.error(function() torch.deserialize("\3\0\0\0\1\0\0\0\255\255\255\127") end,
      "byte offset 8: table size 2147483647 needs at least")
  end)

  it("a storage claiming more than 2^40 elements is refused before allocating", function()
    local s = bytes(function(w)
      w.int(4); w.int(1); w.str("V 1"); w.str("torch.DoubleStorage"); w.long(2 ^ 40 + 1)
    end)
    expect.error(function() torch.deserialize(s) end, "exceeds the 2^40 limit")
    local p = tmpname()
    local h = io.open(p, "wb"); h:write(s); h:close()
    expect.error(function() torch.load(p) end, p .. ": corrupt or truncated .t7 data at byte offset 38")
    if has_tensors then
      local t = bytes(function(w)
        w.int(4); w.int(1); w.str("V 1"); w.str("torch.FloatStorage"); w.long(1e9); w.raw("abcd")
      end)
      expect.error(function() torch.deserialize(t) end, "needs at least 4000000000 bytes but only 4 remain")
    end
  end)

  it("random damage never crashes or hangs: it loads or raises", function()
    local state = 12345
    local function rnd(n) state = (state * 1103515245 + 12345) % 2147483648; return state % n end
    local failures = 0
    for _ = 1, 400 do
      local b = { good:byte(1, -1) }
      for _ = 1, 1 + rnd(3) do b[1 + rnd(#b)] = rnd(256) end
      local ok = pcall(torch.deserialize, string.char(unpack(b)))
      if not ok then failures = failures + 1 end
    end
    expect.truthy(failures > 0)
  end)

  it("a missing class header without the runtime policy is an unknown class", function()
    local resolve = File.resolveClass
    File.resolveClass = File.defaultResolveClass
    local s = bytes(function(w) w.int(4); w.int(1); w.str("V 1"); w.str("no.Such"); w.int(0) end)
    local ok, err = pcall(torch.deserialize, s)
    File.resolveClass = resolve
    expect.eq(ok, false)
    expect.truthy(tostring(err):find("unknown Torch class <no.Such>", 1, true), err)
  end)
end)

for _, p in ipairs(tmpfiles) do os.remove(p) end
