-- torch.* utilities (util.lua) and the small tensor/storage methods (TensorCompat.lua).
require "torch"
local ffi = require "ffi"

describe("torch utilities", function()
  it("setheaptracking records its flag; updateerrorhandlers exists", function()
    torch.setheaptracking(true)
    expect.eq(torch._heaptracking, true)
    torch.setheaptracking(false)
    expect.eq(torch._heaptracking, false)
    expect.error(function() torch.setheaptracking("yes") end, "boolean expected")
    torch.updateerrorhandlers()
  end)

  it("isequal: the same Torch object or the same table", function()
    local t = torch.Tensor({ 1, 2 })
    expect.truthy(torch.isequal(t, t))
    expect.truthy(not torch.isequal(t, t:clone()))
    expect.truthy(torch.isequal(t:storage(), t:storage()), "two wrappers of one storage")
    local tbl = {}
    expect.truthy(torch.isequal(tbl, tbl) and not torch.isequal({}, {}))
    expect.truthy(not torch.isequal(1, 1), "numbers are not Torch objects")
    expect.truthy(not torch.isequal(t, t:storage()))
  end)

  it("totable of tensors and storages only", function()
    expect.same(torch.totable(torch.Tensor({ { 1, 2 }, { 3, 4 } })), { { 1, 2 }, { 3, 4 } })
    expect.same(torch.totable(torch.IntStorage({ 5, -6 })), { 5, -6 })
    expect.error(function() torch.totable({ 1 }) end, "obj must be a Storage or a Tensor")
  end)

  it("getenv / setenv keep a table per function or userdata", function()
    local f = function() return x_in_env end -- luacheck: ignore
    local env = { x_in_env = 42 }
    torch.setenv(f, env)
    expect.truthy(rawequal(torch.getenv(f), env))
    expect.eq(f(), 42)
    expect.error(function() torch.getenv(5) end, "function or userdata expected")
  end)

  it("isatty, getnumcores, table.unpack", function()
    local tty = torch.isatty(io.stdout)
    expect.eq(type(tty), "boolean")
    expect.truthy(torch.getnumcores() >= 1)
    expect.eq(table.unpack, unpack)
  end)

  it("metatype names a class and the cdata of a C type", function()
    ffi.cdef("typedef struct { int v; } luatorch_spec_point;")
    local mt = { __index = { get = function(self) return self.v end } }
    torch.metatype("spec.Point", mt, "luatorch_spec_point")
    expect.truthy(rawequal(torch.getmetatable("spec.Point"), mt))
    local p = ffi.metatype("luatorch_spec_point", mt)({ 7 })
    expect.eq(torch.typename(p), "spec.Point")
    expect.eq(torch.type(ffi.new("int[1]")), "cdata", "other cdata keep their Lua type")
    expect.eq(p:get(), 7)
  end)
end)

describe("tensor and storage methods", function()
  it("real, elementSize, isSize, isTensor", function()
    local d = torch.DoubleTensor(2)
    expect.truthy(rawequal(d:real(), d), "already the default type")
    expect.eq(torch.type(torch.IntTensor(2):real()), "torch.DoubleTensor")
    local sizes = {}
    for _, n in ipairs({ "Byte", "Char", "Short", "Int", "Long", "Float", "Double", "Half" }) do
      sizes[#sizes + 1] = torch[n .. "Tensor"]():elementSize() .. "/" .. torch[n .. "Storage"]():elementSize()
    end
    expect.same(sizes, { "1/1", "1/1", "2/2", "4/4", "8/8", "4/4", "8/8", "2/2" })
    expect.truthy(torch.Tensor(2, 3):isSize(torch.LongStorage({ 2, 3 })))
    expect.truthy(not torch.Tensor(2, 3):isSize(torch.LongStorage({ 3, 2 })))
    expect.truthy(d.isTensor(d) and not d.isTensor({}))
  end)

  it("free and retain leave the object usable; read reads a serialized body back", function()
    local t = torch.Tensor({ { 1, 2 }, { 3, 4 } })
    t:retain(); t:free()
    expect.eq(t[2][1], 3)
    local f = torch.MemoryFile()
    t:write(f)
    f:seek(1)
    local u = torch.Tensor()
    u:read(f)
    expect.same(u:totable(), { { 1, 2 }, { 3, 4 } })
  end)

  it("match: gain times the squared distances between rows", function()
    local m = torch.match(torch.Tensor({ { 0, 0 }, { 1, 1 } }), torch.Tensor({ { 1, 0 }, { 2, 2 } }), 2)
    expect.same(m:totable(), { { 2, 16 }, { 2, 4 } })
  end)

  it("numel, zero and fill as functions", function()
    local t = torch.Tensor(2, 3)
    expect.eq(torch.numel(t), 6)
    expect.eq(torch.fill(t, 4):sum(), 24)
    expect.truthy(rawequal(torch.zero(t), t))
    expect.eq(t:sum(), 0)
  end)
end)
