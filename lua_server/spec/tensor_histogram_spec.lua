-- histc / bhistc (TensorHistogram.lua): bin = floor((v - min) / (max - min) * nbins), the
-- max in the last bin, values outside [min, max] and NaN not counted; counts by hand.
require "torch"

describe("histc", function()
  it("bins over the given range", function()
    local x = torch.Tensor({ 0, 0.25, 0.5, 0.75, 1, 2, -1 })
    -- 0 -> bin 1, 0.25 -> 2, 0.5 -> 3, 0.75 -> 4, 1 (the max) -> 4; 2 and -1 are outside
    expect.same(torch.histc(x, 4, 0, 1):totable(), { 1, 1, 1, 2 })
  end)

  it("takes the data's range when min == max, and widens a single value by 1", function()
    expect.same(torch.histc(torch.Tensor({ 1, 2, 3 }), 2):totable(), { 1, 2 })  -- [1, 3]: 2 is at 0.5 -> bin 2
    expect.same(torch.histc(torch.Tensor({ 3, 3 }), 4):totable(), { 0, 0, 2, 0 })  -- [2, 4]: 3 -> bin 3
    expect.eq(torch.histc(torch.Tensor({ 1, 2 })):size(1), 100, "100 bins by default")
  end)

  it("ignores NaN and counts n-D input as a whole", function()
    expect.same(torch.histc(torch.Tensor({ 1, 0 / 0, 3 }), 2, 1, 3):totable(), { 1, 1 })
    expect.same(torch.histc(torch.Tensor({ { 1, 2 }, { 3, 4 } }), 2):totable(), { 2, 2 })
  end)

  it("fills a result tensor, resized and zeroed, in the method and function forms", function()
    local res = torch.Tensor(3, 3):fill(7)
    expect.truthy(rawequal(torch.histc(res, torch.Tensor({ 1, 1, 2 }), 2, 1, 2), res))
    expect.same(res:totable(), { 2, 1 })
    local x = torch.FloatTensor({ 5, 6 })
    local h = x:histc(2)
    expect.eq(torch.type(h), "torch.FloatTensor")
    expect.same(h:totable(), { 1, 1 })
    expect.same(x:totable(), { 5, 6 }, "x unchanged")
  end)

  it("exists for Float and Double only", function()
    expect.error(function() torch.histc(torch.IntTensor({ 1 }), 2) end,
      "torch.IntTensor does not implement the torch.histc() function")
  end)
end)

describe("bhistc", function()
  it("one histogram per row over the global range", function()
    local x = torch.Tensor({ { 1, 1, 2 }, { 3, 3, 3 } })
    -- range [1, 3], 2 bins: 1 -> bin 1, 2 (at 0.5) -> bin 2, 3 -> last bin
    expect.same(torch.bhistc(x, 2):totable(), { { 2, 1 }, { 0, 3 } })
    expect.same(x:t():bhistc(3, 1, 3):totable(), { { 1, 0, 1 }, { 1, 0, 1 }, { 0, 1, 1 } })
  end)

  it("needs a 2-D tensor", function()
    expect.error(function() torch.bhistc(torch.Tensor({ 1, 2 }), 2) end, "invalid dimension 2")
    expect.error(function() torch.bhistc(torch.ones(2, 2, 2), 2) end, "the input must be a 2d tensor")
  end)
end)
