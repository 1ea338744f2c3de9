-- Small kernels run on one thread (torch/one_thread.lua): matrix products under OpenBLAS's
-- size rule, nn's softmaxes and Tanh under ATen's grain size. The results are the same as on
-- any thread count, and the caller's thread setting is back in place afterwards, also when
-- the kernel fails.
require "torch"
require "nn"
local one_thread = require "torch.one_thread"

local function T(v) return torch.Tensor(v) end

describe("small BLAS products on one thread", function()
  it("gives hand-computed results for every small form", function()
    local a = T({ { 1, 2, 3 }, { 4, 5, 6 } })
    local b = T({ { 1, 0 }, { 0, 1 }, { 1, 1 } })
    expect.same(torch.mm(a, b):totable(), { { 4, 5 }, { 10, 11 } })
    local res = T({ { 1, 1 }, { 1, 1 } })
    res:addmm(2, 3, a, b)  -- 2*res + 3*a*b
    expect.same(res:totable(), { { 14, 17 }, { 32, 35 } })
    expect.same(torch.mv(a, T({ 1, 1, 1 })):totable(), { 6, 15 })
    expect.same(torch.ger(T({ 1, 2 }), T({ 3, 4 })):totable(), { { 3, 4 }, { 6, 8 } })
    local bb = torch.bmm(a:view(1, 2, 3), b:view(1, 3, 2))
    expect.same(bb[1]:totable(), { { 4, 5 }, { 10, 11 } })
    local acc = torch.zeros(1, 2, 2):baddbmm(a:view(1, 2, 3), b:view(1, 3, 2))
    expect.same(acc[1]:totable(), { { 4, 5 }, { 10, 11 } })
  end)

  it("agrees with the threaded path on both sides of the size rule", function()
    torch.manualSeed(7)
    for _, n in ipairs({ 8, 64, 80 }) do  -- 8^3 and 64^3 are small, 80^3 is not
      local a, b = torch.randn(n, n), torch.randn(n, n)
      local naive = torch.zeros(n, n)
      for k = 1, n do naive:addr(a:select(2, k), b:select(1, k)) end
      expect.near((torch.mm(a, b) - naive):abs():max(), 0, 1e-10, "n = " .. n)
    end
  end)

  it("leaves torch.getnumthreads() as the caller set it, also after a failure", function()
    local before = torch.getnumthreads()
    torch.setnumthreads(2)
    torch.mm(torch.ones(2, 3), torch.ones(3, 2))
    expect.eq(torch.getnumthreads(), 2)
    local ok, err = pcall(function() return torch.mm(torch.ones(2, 3), torch.ones(2, 2)) end)
    expect.eq(ok, false)
    expect.truthy(type(err) == "string" and err:find("2x3") ~= nil, "ATen's message names the sizes: " .. tostring(err))
    expect.eq(torch.getnumthreads(), 2, "restored after the error")
    torch.setnumthreads(before)
  end)
end)

describe("one_thread.run", function()
  it("runs on one thread below the limit and restores the setting, also after an error", function()
    local before = torch.getnumthreads()
    torch.setnumthreads(2)
    local seen
    one_thread.run(10, 100, function() seen = torch.getnumthreads() end)
    expect.eq(seen, 1, "inside, below the limit")
    expect.eq(torch.getnumthreads(), 2, "after")
    one_thread.run(100, 100, function() seen = torch.getnumthreads() end)
    expect.eq(seen, 2, "at the limit the setting holds")
    expect.error(function() one_thread.run(1, 100, error, "kernel failed: sizes 2x3") end,
      "kernel failed: sizes 2x3")
    expect.eq(torch.getnumthreads(), 2, "restored after the error")
    torch.setnumthreads(before)
  end)

  it("nn.LogSoftMax, nn.SoftMax and nn.Tanh give hand-computed values on small input", function()
    local x = torch.Tensor({ { 0, math.log(3) }, { 1, 1 } })
    local lsm = nn.LogSoftMax():forward(x)
    expect.near(lsm[1][1], math.log(0.25), 1e-12)
    expect.near(lsm[1][2], math.log(0.75), 1e-12)
    expect.near(lsm[2][1], math.log(0.5), 1e-12)
    local sm = nn.SoftMax()
    expect.near(sm:forward(x)[1][2], 0.75, 1e-12)
    local g = sm:backward(x, torch.Tensor({ { 1, 0 }, { 0, 0 } }))
    expect.near(g[1][1], 0.25 * 0.75, 1e-12, "dy1/dx1 = p1 (1 - p1)")
    expect.near(nn.Tanh():forward(torch.Tensor({ 0.5 }))[1], math.tanh(0.5), 1e-15)
  end)
end)
