-- Tensor objects that are their own ATen handle (aten/objects.cpp) and the shim's direct
-- paths for small tensors (aten/small_ops.cpp): every fast result is compared bit for bit
-- with ATen's own kernel on the same operands, called through the boxed dispatcher.
require "torch"
local aten = require "aten"
local core = require "torch.core"
torch.setnumthreads(1)

-- ATen's answer, as a tensor of `like`'s type (aten.call bypasses every fast path)
local function aten_result(like, name, ...)
  return core.view_of(like, aten.call(name, ...))
end

local function bits_equal(a, b, what)
  expect.same(a:size():totable(), b:size():totable(), (what or "") .. " sizes")
  local x, y = a:contiguous():view(-1), b:contiguous():view(-1)
  for i = 1, x:nElement() do
    local u, v = x[i], y[i]
    if not (u == v or (u ~= u and v ~= v)) then
      error(string.format("%s: element %d differs: %.17g vs %.17g", what or "", i, u, v), 2)
    end
  end
end

local function randn(ctor, ...)
  return ctor(...):normal(0, 1e3)
end

describe("tensor objects", function()
  it("are userdata that are their own handle, with Torch7's type and identity", function()
    local a = torch.Tensor(2, 3)
    expect.eq(type(a), "userdata")
    expect.truthy(rawequal(a._h, a), "t._h is t")
    expect.eq(torch.type(a), "torch.DoubleTensor")
    expect.eq(torch.type(a:storage()), "torch.DoubleStorage")
    expect.eq(type(a:cdata()), "cdata", "t:cdata() is an FFI pointer, as Torch7's")
    local b = a:narrow(1, 1, 1)
    expect.truthy(torch.pointer(a) ~= torch.pointer(b), "each object has its own address")
    expect.truthy(a ~= b and a == a, "== is identity")
  end)

  it("methods added to the class metatable reach every object, new or old", function()
    local old = torch.FloatTensor(2)
    torch.getmetatable("torch.FloatTensor").smallOpsSpecProbe = function(self) return self:nElement() end
    expect.eq(old:smallOpsSpecProbe(), 2)
    expect.eq((old + old):smallOpsSpecProbe(), 2)
    torch.getmetatable("torch.FloatTensor").smallOpsSpecProbe = nil
  end)

  it("free their ATen tensor when collected, and views keep the storage alive", function()
    local view
    do
      local a = torch.Tensor({ 1, 2, 3, 4 })
      view = a:narrow(1, 2, 2)
    end
    for _ = 1, 3 do collectgarbage() end
    expect.same(view:totable(), { 2, 3 })
    for _ = 1, 1000 do local _ = torch.Tensor(8, 8) + torch.Tensor(8, 8) end
    collectgarbage()
    expect.same(view:totable(), { 2, 3 })
  end)

  it("are recycled only when nothing else refers to them or their storage", function()
    local kept, views, storages = {}, {}, {}
    for i = 1, 300 do
      local a = torch.Tensor(4, 4):fill(i)
      local b = a + a
      if i % 3 == 0 then kept[#kept + 1] = { b, 2 * i } end
      if i % 5 == 0 then views[#views + 1] = { a:narrow(1, 2, 2), i } end
      if i % 7 == 0 then storages[#storages + 1] = { b:storage(), 2 * i } end
    end
    for _ = 1, 2 do collectgarbage() end
    for _ = 1, 1000 do local _ = torch.Tensor(4, 4):fill(-1) + torch.Tensor(4, 4):fill(-2) end
    collectgarbage()
    for _, k in ipairs(kept) do expect.eq(k[1]:min(), k[2], "a kept result") end
    for _, v in ipairs(views) do expect.eq(v[1]:max(), v[2], "a view's base") end
    for _, s in ipairs(storages) do expect.eq(s[1][16], s[2], "a storage's tensor") end
    local r = torch.Tensor(4, 4):fill(3) + torch.Tensor(4, 4)
    expect.same(r:size():totable(), { 4, 4 })
    expect.eq(r:storageOffset(), 1)
    expect.eq(r:sum(), 48, "a recycled tensor holds only the new result")
  end)

  it("only tensor objects pass as tensor arguments; other userdata raise, not crash", function()
    expect.error(function() aten.call("neg", newproxy()) end, "expects a tensor")
    expect.error(function() aten.call("neg", io.stdout) end, "expects a tensor")
    expect.error(function() aten.call("cat", { torch.Tensor(1), newproxy() }) end, "list of tensors")
    local t = torch.Tensor({ 1, -2 })
    expect.same(core.view_of(t, aten.call("neg", t)):totable(), { -1, 2 })
  end)
end)

describe("small-tensor direct paths", function()
  for _, ctor in ipairs { torch.DoubleTensor, torch.FloatTensor } do
    local tname = torch.type(ctor())

    it(tname .. ": a + b, a - b and clone equal ATen's, and own new storage", function()
      for _, shape in ipairs { { 8, 8 }, { 3 }, { 2, 3, 4 }, { 1 } } do
        local a, b = randn(ctor, table.unpack(shape)), randn(ctor, table.unpack(shape))
        bits_equal(a + b, aten_result(a, "add.Tensor", a, b, 1), "a + b")
        bits_equal(a - b, aten_result(a, "sub.Tensor", a, b, 1), "a - b")
        local c = a:clone()
        bits_equal(c, a, "clone")
        c:fill(7)
        expect.truthy(a[1] ~= 7 or a:nElement() == 0, "clone is a copy")
        expect.eq(torch.type(a + b), tname)
      end
      local a, b = randn(ctor, 2, 3), randn(ctor, 3, 2)
      expect.same((a + b):size():totable(), { 2, 3 }, "Torch7: the first operand's shape")
    end)

    it(tname .. ": in-place add, csub, cmul, mul and copy equal ATen's", function()
      local a, b = randn(ctor, 8, 8), randn(ctor, 8, 8)
      local x = a:clone():add(b)
      bits_equal(x, aten_result(a, "add.Tensor", a, b, 1), "add")
      x = a:clone():csub(b)
      bits_equal(x, aten_result(a, "sub.Tensor", a, b, 1), "csub")
      x = a:clone():cmul(b)
      bits_equal(x, aten_result(a, "mul.Tensor", a, b), "cmul")
      x = a:clone():mul(1.0000001)
      bits_equal(x, aten_result(a, "mul.Scalar", a, 1.0000001), "mul")
      x = a:clone():mul(0.1)
      bits_equal(x, aten_result(a, "mul.Scalar", a, 0.1), "mul by a number a float cannot hold")
      x = ctor(4, 16):copy(a)
      bits_equal(x:view(8, 8), a, "copy across shapes")
      x = a:clone():add(x:view(8, 8))
      bits_equal(x, aten_result(a, "mul.Scalar", a, 2), "x:add(x)")
    end)

    it(tname .. ": mm and addmm equal ATen's (the same BLAS call; ATen's own addmm_)", function()
      for _, dims in ipairs { { 8, 8, 8 }, { 3, 5, 7 }, { 1, 4, 1 }, { 16, 2, 9 }, { 5, 1, 5 } } do
        local m, k, n = dims[1], dims[2], dims[3]
        local a, b, c = randn(ctor, m, k), randn(ctor, k, n), randn(ctor, m, n)
        bits_equal(ctor():mm(a, b), aten_result(a, "mm", a, b), "mm")
        bits_equal(torch.mm(a, b), aten_result(a, "mm", a, b), "torch.mm")
        bits_equal(c:clone():addmm(a, b), aten_result(a, "addmm", c, a, b, 1, 1), "addmm")
        bits_equal(c:clone():addmm(0.5, -2, a, b), aten_result(a, "addmm", c, a, b, 0.5, -2), "addmm(beta, alpha)")
        local nan = c:clone():fill(0 / 0)
        bits_equal(nan:mm(a, b), aten_result(a, "mm", a, b), "mm ignores the old contents")
      end
    end)
  end

  it("sigmoid and tanh of a small DoubleTensor are TH's: libm's exp and tanh per element", function()
    local a = torch.randn(8, 8):mul(4)
    a[1][1], a[1][2], a[1][3] = -1000, 1000, 0
    local s, t = torch.Tensor():sigmoid(a), a:clone():tanh()
    for i = 1, 8 do
      for j = 1, 8 do
        local x = a[i][j]
        expect.eq(s[i][j], 1 / (1 + math.exp(-x)), "sigmoid")
        expect.eq(t[i][j], math.tanh(x), "tanh")
      end
    end
    local f = torch.FloatTensor(5, 5):normal()
    bits_equal(torch.FloatTensor():sigmoid(f), aten_result(f, "sigmoid", f), "Float: ATen's kernel")
    local big = torch.randn(100, 100)
    bits_equal(torch.Tensor():tanh(big), aten_result(big, "tanh", big), "large: ATen's kernel")
    bits_equal(torch.exp(f), aten_result(f, "exp", f), "exp through the unboxed entry")
  end)

  it("fall back to ATen outside their reach, with the same results", function()
    local a = torch.randn(6, 6)
    local t = a:t()                                   -- not contiguous
    bits_equal(t + t, aten_result(a, "add.Tensor", t, t, 1), "transposed a + b")
    bits_equal(t:clone(), aten_result(a, "clone", t), "transposed clone")
    local big = torch.randn(100, 100)                 -- above the small-size limit
    bits_equal(big + big, aten_result(big, "add.Tensor", big, big, 1), "large a + b")
    local i = torch.IntTensor({ 1, 2 })               -- integer types keep ATen's kernels
    expect.same((i + i):totable(), { 2, 4 })
    expect.same(i:clone():mul(2.7):totable(), { 2, 4 }, "integer mul truncates the scalar, as (int)2.7")
    local mixed = torch.Tensor(3, 3):mm(torch.randn(3, 3), torch.randn(3, 3):t())
    expect.eq(mixed:size(1), 3, "mm of a transposed operand")
    local s = torch.Tensor({ 1, 2, 3, 4, 5 })          -- partly overlapping operands: ATen's rules
    expect.error(function() s:narrow(1, 2, 4):copy(s:narrow(1, 1, 4)) end, "single memory location")
  end)

  it("narrow, select and t[i] are views at the right offset, sharing storage", function()
    local a = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } })
    local col = a:select(2, 3)
    expect.same(col:totable(), { 3, 6, 9 })
    expect.eq(col:stride(1), 3)
    expect.eq(col:storageOffset(), 3)
    local n = a:narrow(2, 2, 2):narrow(1, 2, 2)
    expect.same(n:totable(), { { 5, 6 }, { 8, 9 } })
    expect.eq(n:storageOffset(), 5)
    n:fill(0)
    expect.same(a[3]:totable(), { 7, 0, 0 }, "writes through")
    expect.truthy(torch.pointer(a[2]:storage()) == torch.pointer(a:storage()), "one storage")
    expect.eq(a:t()[2][1], 2, "t[i] of a transpose")
    expect.eq(a:narrow(1, 2, 0):nElement(), 0, "an empty narrow")
    expect.error(function() return a[0] end, "out of range")
    expect.error(function() return a[4] end, "out of range")
  end)

  it("t[i] = v writes 1-D elements in place, with Torch7's bounds and conversions", function()
    local a = torch.Tensor(2, 3):zero()
    a[2][3] = 0.5
    a[1][-1] = 2  -- negative indices count from the end
    expect.same(a:totable(), { { 0, 0, 2 }, { 0, 0, 0.5 } })
    local col = a:select(2, 3)
    col[1] = "4"  -- a numeric string, as Torch7's lua_tonumber reads it
    expect.eq(a[1][3], 4)
    local b = torch.ByteTensor(2)
    b[1] = 3.9
    expect.eq(b[1], 3, "integer elements truncate")
    expect.error(function() a[1][4] = 1 end, "out of range")
    expect.error(function() a[1][0] = 1 end, "out of range")
  end)
end)
