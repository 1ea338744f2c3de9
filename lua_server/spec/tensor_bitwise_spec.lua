-- Bit operations (TensorBitwise.lua): values worked out by hand from the two's-complement
-- bits; shifts on integer types are unsigned, on floating types they scale by 2^n.
require "torch"

local function same(t, want, what) expect.same(t:totable(), want, what) end

describe("bitand / bitor / bitxor with a number", function()
  it("work on the bits of every integer type", function()
    for _, name in ipairs({ "Byte", "Char", "Short", "Int", "Long" }) do
      local t = torch[name .. "Tensor"]({ 12, 10, 0 })
      same(torch.bitand(t, 6), { 4, 2, 0 }, name .. " and")     -- 1100&0110, 1010&0110
      same(torch.bitor(t, 3), { 15, 11, 3 }, name .. " or")
      same(torch.bitxor(t, 5), { 9, 15, 5 }, name .. " xor")
    end
    same(torch.bitand(torch.IntTensor({ -1, -8, 7 }), -4), { -4, -8, 4 }, "negative operands")
    same(torch.bitxor(torch.LongTensor({ 0, -1 }), -1), { -1, 0 }, "xor -1 is not")
  end)

  it("refuse floating-point tensors", function()
    expect.error(function() torch.bitand(torch.DoubleTensor(2), 1) end,
      "bitand is only supported for integer type tensors")
    expect.error(function() torch.FloatTensor(2):cbitor(torch.FloatTensor(2)) end,
      "cbitor is only supported for integer type tensors")
  end)
end)

describe("shifts", function()
  it("lshift wraps in the type's width", function()
    same(torch.lshift(torch.ByteTensor({ 1, 129, 255 }), 1), { 2, 2, 254 })
    same(torch.lshift(torch.CharTensor({ 64, -1 }), 1), { -128, -2 })
    same(torch.lshift(torch.IntTensor({ 2 ^ 30 }), 1), { -2 ^ 31 })
  end)

  it("rshift brings in zeros, also for negative numbers", function()
    same(torch.rshift(torch.CharTensor({ -1, -128, 64 }), 1), { 127, 64, 32 })
    same(torch.rshift(torch.ShortTensor({ -2 }), 4), { 4095 })     -- 0xFFFE >> 4
    same(torch.rshift(torch.IntTensor({ -1, 16 }), 28), { 15, 0 })  -- 0xFFFFFFFF >> 28
    local l = torch.rshift(torch.LongTensor({ -1 }), 60)
    expect.eq(l[1], 15, "Long: 0xFFFF...F >> 60")
    expect.eq(torch.rshift(torch.LongTensor({ -8 }), 0)[1], -8, "a shift by 0 keeps the value")
  end)

  it("multiply and divide by powers of two on Float and Double", function()
    same(torch.lshift(torch.DoubleTensor({ 1.5, -3 }), 2), { 6, -12 })
    same(torch.rshift(torch.FloatTensor({ 1, -6 }), 1), { 0.5, -3 })
    same(torch.crshift(torch.DoubleTensor({ 8, 8 }), torch.DoubleTensor({ 1, -1 })), { 4, 16 })
  end)

  it("clshift / crshift shift each element by its own amount", function()
    local t, s = torch.IntTensor({ 1, 1, -1, -1 }), torch.IntTensor({ 0, 4, 0, 31 })
    same(torch.clshift(t, s), { 1, 16, -1, -2 ^ 31 })
    same(torch.crshift(t, s), { 1, 0, -1, 1 })
  end)
end)

describe("calling forms", function()
  it("t:f(x) in place, res:f(t, x) and torch.f(res, t, x) fill res", function()
    local t = torch.IntTensor({ 5, 6 })
    local r = t:bitand(4)
    expect.truthy(rawequal(r, t), "in place returns self")
    same(t, { 4, 4 })
    local res = torch.IntTensor()
    expect.truthy(rawequal(torch.bitor(res, t, 1), res), "torch.f(res, ...) returns res")
    same(res, { 5, 5 })
    local res2 = torch.IntTensor(7)
    expect.truthy(rawequal(res2:cbitxor(t, torch.IntTensor({ 1, 2 })), res2), "res:f(t, s)")
    same(res2, { 5, 6 }, "res is resized to t's size")
  end)

  it("work on non-contiguous tensors and sources of another shape", function()
    local m = torch.IntTensor({ { 1, 2 }, { 3, 4 } }):t()
    same(torch.bitor(m, 8), { { 9, 11 }, { 10, 12 } })
    same(torch.cbitand(torch.IntTensor({ 3, 3, 3, 3 }), torch.IntTensor({ { 1, 2 }, { 3, 0 } })), { 1, 2, 3, 0 })
  end)

  it("refuse tensors of different types as Torch7's wrapper did", function()
    expect.error(function() torch.cbitand(torch.IntTensor(2), torch.LongTensor(2)) end,
      "invalid arguments: IntTensor LongTensor \nexpected arguments: [*IntTensor*] IntTensor IntTensor")
  end)
end)
