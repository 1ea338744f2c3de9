-- The shortcuts that make small-tensor code cheap (the shim's clone/narrow/select/add/sum
-- entry points, tensors filled in place by the C generator) give what the general paths
-- give: Torch7's values, types, sharing and errors.
require "torch"

local function values(t) return t:totable() end

describe("new-tensor fast paths", function()
  it("clone copies: contiguous or not, the result is contiguous and owns its storage", function()
    local a = torch.Tensor({ { 1, 2, 3 }, { 4, 5, 6 } })
    local c = a:clone()
    c[1][1] = 100
    expect.eq(a[1][1], 1, "the source is untouched")
    local t = a:t():clone()
    expect.truthy(t:isContiguous(), "clone of a transpose is contiguous")
    expect.same(values(t), { { 1, 4 }, { 2, 5 }, { 3, 6 } })
    expect.eq(torch.type(torch.ByteTensor({ 7 }):clone()), "torch.ByteTensor")
    expect.eq(torch.Tensor():clone():nElement(), 0, "an empty tensor clones to an empty one")
  end)

  it("narrow and select are views of the source's type", function()
    local a = torch.FloatTensor({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local n = a:narrow(1, 2, 2)
    expect.eq(torch.type(n), "torch.FloatTensor")
    n:fill(0)
    expect.same(values(a), { { 1, 2 }, { 0, 0 }, { 0, 0 } })
    local row = a[1]
    row[2] = 9
    expect.eq(a[1][2], 9, "t[i] is a view")
    expect.eq(a:select(2, 2)[1], 9)
    expect.error(function() a:narrow(1, 3, 2) end, "out of range")
    expect.error(function() return a[4] end, "out of range")
  end)

  it("a + b and a - b keep the operands' type, wrapping as the element type does", function()
    local a, b = torch.ByteTensor({ 200, 10 }), torch.ByteTensor({ 100, 20 })
    expect.same(values(a + b), { 44, 30 }, "uint8 wraps modulo 256")
    expect.same(values(a - b), { 100, 246 })
    local f = torch.FloatTensor({ 0.5 }) + torch.FloatTensor({ 0.25 })
    expect.eq(torch.type(f), "torch.FloatTensor")
    expect.eq(f[1], 0.75)
    expect.error(function() return torch.Tensor(2) + torch.Tensor(3) end, "inconsistent tensor size")
  end)

  it("sum accumulates as Torch7's accreal and returns a number", function()
    expect.eq(torch.ByteTensor({ 200, 100 }):sum(), 300, "bytes sum in long")
    expect.eq(torch.Tensor({ { 1, 2 }, { 3, 4 } }):t():sum(), 10, "a non-contiguous view")
    expect.eq(torch.Tensor():sum(), 0, "empty")
    local s = torch.Tensor({ 1, 0 / 0 }):sum()
    expect.truthy(s ~= s, "NaN comes back as a Lua NaN")
    expect.eq(type(torch.FloatTensor({ 0.1 }):sum()), "number")
  end)

  it("sum adds element by element into one double, as TH's sumall", function()
    -- 2^53 + 1 rounds back to 2^53 (ties to even), so each 1 is lost in order; a
    -- pairwise or vectorised sum would keep them and give 4
    expect.eq(torch.Tensor({ 2 ^ 53, 1, 1, 1, 1, -2 ^ 53 }):sum(), 0)
    -- float elements accumulate in double: nothing is lost
    expect.eq(torch.FloatTensor({ 2 ^ 24, 1, 1, 1, 1, -2 ^ 24 }):sum(), 4)
  end)
end)

describe("tensors filled by the C generator", function()
  local fills = {
    { "uniform", -2, 3 }, { "normal", 1, 2 }, { "exponential", 2 }, { "cauchy", 0, 1 },
    { "logNormal", 1, 0.5 }, { "geometric", 0.3 }, { "bernoulli", 0.4 },
  }

  it("a contiguous FloatTensor holds the double draws cast to float", function()
    for _, f in ipairs(fills) do
      local name = f[1]
      torch.manualSeed(42)
      local d = torch.DoubleTensor(7)[name](torch.DoubleTensor(7), unpack(f, 2))
      torch.manualSeed(42)
      local x = torch.FloatTensor(7)[name](torch.FloatTensor(7), unpack(f, 2))
      -- float parameters: exact in float for all of the above
      expect.same(values(x), values(d:float()), name)
    end
  end)

  it("a non-contiguous tensor is filled in its own row-major order", function()
    torch.manualSeed(7)
    local plain = torch.Tensor(3, 2):normal()
    torch.manualSeed(7)
    local base = torch.Tensor(2, 3)
    base:t():normal()
    expect.same(values(base:t()), values(plain))
  end)

  it("the state taken between fills replays the stream, the cached normal included", function()
    torch.manualSeed(3)
    torch.Tensor(3):normal()  -- an odd count leaves the sine branch cached
    local state = torch.getRNGState()
    local first = torch.Tensor(5):normal():totable()
    torch.setRNGState(state)
    expect.same(torch.Tensor(5):normal():totable(), first)
  end)
end)
