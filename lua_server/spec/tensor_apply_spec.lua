-- apply / map / map2: Lua callbacks over elements in row-major order, writing back the
-- number returned (TH_TENSOR_APPLY semantics: nil leaves the element, other tensors are
-- paired by their own row-major position).
require "torch"

describe("Tensor:apply", function()
  it("visits elements in row-major order and writes back returned numbers", function()
    local t = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } })
    local seen = {}
    local r = t:apply(function(v) seen[#seen + 1] = v; return v * 10 end)
    expect.eq(r, t, "returns self")
    expect.same(seen, { 1, 2, 3, 4, 5, 6 })
    expect.same(t:totable(), { { 10, 20, 30 }, { 40, 50, 60 } })
  end)

  it("leaves elements when the function returns nothing and accepts numeric strings", function()
    local t = torch.Tensor({ 1, 2, 3 })
    t:apply(function(v) if v == 2 then return "7.5" end end)
    expect.same(t:totable(), { 1, 7.5, 3 })
  end)

  it("walks non-contiguous views through their strides, writing into the base", function()
    local base = torch.Tensor(3, 4):zero()
    local view = base:narrow(2, 2, 2)  -- columns 2..3, strides (4, 1), not contiguous
    local i = 0
    view:apply(function() i = i + 1; return i end)
    expect.same(base:totable(), { { 0, 1, 2, 0 }, { 0, 3, 4, 0 }, { 0, 5, 6, 0 } })
    -- a transposed 2x3 is walked by its own rows: 1 4 / 2 5 / 3 6
    local m = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } }):t()
    local order = {}
    m:apply(function(v) order[#order + 1] = v end)
    expect.same(order, { 1, 4, 2, 5, 3, 6 })
  end)

  it("walks 3-D permuted tensors in row-major order of the view", function()
    -- t[i][j][k] = 100i + 10j + k, 2x2x2; transposing dims 1 and 3 visits (k,j,i)
    local t = torch.Tensor(2, 2, 2)
    for i = 1, 2 do for j = 1, 2 do for k = 1, 2 do t[i][j][k] = 100 * i + 10 * j + k end end end
    local order = {}
    t:transpose(1, 3):apply(function(v) order[#order + 1] = v end)
    expect.same(order, { 111, 211, 121, 221, 112, 212, 122, 222 })
  end)

  it("converts results like a C cast for integer types", function()
    local t = torch.IntTensor({ 0, 0 })
    local vals = { 2.7, -2.7 }
    local i = 0
    t:apply(function() i = i + 1; return vals[i] end)
    expect.same(t:totable(), { 2, -2 })
    local l = torch.LongTensor({ 1 }):apply(function() return 2 ^ 40 + 3 end)
    expect.eq(l[1], 2 ^ 40 + 3)
    local b = torch.ByteTensor({ 1, 2 }):apply(function(v) return v + 200 end)
    expect.same(b:totable(), { 201, 202 })
  end)

  it("does not call the function on an empty tensor", function()
    local called = false
    torch.Tensor():apply(function() called = true end)
    expect.eq(called, false)
  end)

  it("works on tensors Lua cannot reach directly through a double copy", function()
    local h = torch.HalfTensor and torch.Tensor({ 1, 2 }):type("torch.HalfTensor")
    if h then
      h:apply(function(v) return v + 0.5 end)
      expect.same(h:double():totable(), { 1.5, 2.5 })
    end
  end)

  it("rejects misuse with the function named", function()
    expect.error(function() torch.Tensor(2):apply(3) end, "apply: expected a function as argument 1, got number")
    expect.error(function() torch.Tensor(2):apply(function() return true end) end,
      "apply: given function should return a number or nil, got a boolean")
  end)
end)

describe("Tensor:map and map2", function()
  it("pairs elements by row-major position, shapes may differ", function()
    local y = torch.Tensor(2, 3):zero()
    local z = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } }):t()  -- row-major 1 4 2 5 3 6
    y:map(z, function(a, b) return a + b end)
    expect.same(y:totable(), { { 1, 4, 2 }, { 5, 3, 6 } })
  end)

  it("map2 passes self, src1 and src2 values", function()
    local t = torch.Tensor({ 1, 2, 3 })
    local a = torch.Tensor({ 10, 20, 30 })
    local b = torch.Tensor({ { 100, 200, 300 } })
    local r = t:map2(a, b, function(x, y, z) return x + y + z end)
    expect.eq(r, t)
    expect.same(t:totable(), { 111, 222, 333 })
    t:map2(a, b, function() end)
    expect.same(t:totable(), { 111, 222, 333 }, "nil leaves values")
  end)

  it("reads sources of another type", function()
    local t = torch.Tensor({ 0, 0 })
    t:map(torch.LongTensor({ 5, 6 }), function(_, v) return v end)
    expect.same(t:totable(), { 5, 6 })
  end)

  it("rejects sources of another size and missing functions", function()
    expect.error(function() torch.Tensor(2, 3):map(torch.Tensor(4), function() end) end,
      "map: inconsistent tensor size, expected tensor [2x3] and src [4] to have the same number of elements, but got 6 and 4 elements respectively")
    expect.error(function() torch.Tensor(2):map(torch.Tensor(2)) end, "map: expected a function as argument 2, got nil")
    expect.error(function() torch.Tensor(2):map2(torch.Tensor(2), 5, function() end) end,
      "map2: expected a tensor as argument 2, got number")
  end)
end)
