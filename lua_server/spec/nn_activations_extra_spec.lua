-- Activations: SoftMin, SoftShrink, HardShrink, TanhShrink, RReLU, CReLU, GatedLinearUnit,
-- Maxout, SpatialLogSoftMax. Hand-derived values, nn.Jacobian checks (< 1e-5, Double),
-- Torch7's random draws for RReLU, float conversion, clearState, .t7 round trips, printing.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local TOL = 1e-5

local function jacobian(m, x, lo, hi)
  local err = nn.Jacobian.testJacobian(m, x, lo, hi)
  expect.truthy(err < TOL, torch.type(m) .. " Jacobian error " .. err)
end

-- a copy through a binary .t7 stream computes what the original does
local function roundTrip(m, x)
  local f = torch.MemoryFile("rw"):binary()
  f:writeObject(m)
  f:seek(1)
  local copy = f:readObject()
  f:close()
  expect.eq(torch.type(copy), torch.type(m), "class after the round trip")
  H.tensor(copy:forward(x), m:forward(x), 0, torch.type(m) .. " output after the round trip")
  return copy
end

-- float() converts buffers and keeps the numbers; clearState empties output and gradInput
local function floatAndClear(m, x)
  local out = m:forward(x):clone()
  local f = m:clone():float()
  local y = f:forward(x:float())
  expect.eq(torch.type(y), "torch.FloatTensor", torch.type(m) .. " float output")
  H.tensor(y:double(), out, 1e-5, torch.type(m) .. " float output")
  m:backward(x, out)
  m:clearState()
  expect.eq(m.output:nElement(), 0, torch.type(m) .. " output after clearState")
  expect.eq(m.gradInput:nElement(), 0, torch.type(m) .. " gradInput after clearState")
end

describe("softmin and log-softmax", function()
  it("nn.SoftMin is the softmax of -x over the features", function()
    local m = nn.SoftMin()
    local e1, e2, e3 = math.exp(-1), math.exp(-2), math.exp(-3)
    local s = e1 + e2 + e3
    H.tensor(m:forward(T { 1, 2, 3 }), { e1 / s, e2 / s, e3 / s }, 1e-15, "1-D")
    H.tensor(m:forward(T { { 1, 2, 3 }, { 0, 0, 0 } }), { { e1 / s, e2 / s, e3 / s }, { 1 / 3, 1 / 3, 1 / 3 } },
      1e-15, "rows of a batch")
    jacobian(nn.SoftMin(), T(4, 5))
    jacobian(nn.SoftMin(), T(3, 4, 2))
    expect.eq(tostring(m), "nn.SoftMin", "prints")
    floatAndClear(nn.SoftMin(), T(3, 4):uniform())
    roundTrip(m, T(2, 3):uniform())
  end)

  it("nn.SpatialLogSoftMax normalises over the planes of every pixel", function()
    local x = T(2, 3, 2, 2):uniform(-2, 2)
    local y = nn.SpatialLogSoftMax():forward(x)
    local ref = torch.exp(x):sum(2):log()
    H.tensor(y, x - ref:expandAs(x), 1e-12, "x - log sum_c exp x_c")
    H.tensor(nn.SpatialLogSoftMax():forward(x[1]), y[1], 1e-15, "one image")
    jacobian(nn.SpatialLogSoftMax(), T(3, 2, 3))
    jacobian(nn.SpatialLogSoftMax(), T(2, 3, 2, 2))
    expect.error(function() nn.SpatialLogSoftMax():forward(T(3, 4)) end, "3D or 4D")
    floatAndClear(nn.SpatialLogSoftMax(), T(3, 2, 2):uniform())
    roundTrip(nn.SpatialLogSoftMax(), x)
  end)
end)

describe("shrinkage units", function()
  it("nn.SoftShrink moves towards zero by lambda", function()
    local m = nn.SoftShrink(0.5)
    local x = T { -2, -0.5, -0.2, 0, 0.3, 0.5, 1.5 }
    local y = m:forward(x)
    H.tensor(y, { -1.5, 0, 0, 0, 0, 0, 1 }, 1e-15, "output")
    expect.eq(1 / y[3], math.huge, "a small negative input gives +0, as Torch7 writes")
    H.tensor(m:backward(x, T(7):fill(2)), { 2, 0, 0, 0, 0, 0, 2 }, 0, "gradient")
    expect.eq(nn.SoftShrink().lambda, 0.5, "default lambda")
    jacobian(nn.SoftShrink(0.3), T(3, 4))
    floatAndClear(nn.SoftShrink(), T(3, 4):uniform(-1, 1))
    roundTrip(nn.SoftShrink(0.7), T(5):uniform(-2, 2))
  end)

  it("nn.HardShrink zeroes |x| <= lambda", function()
    local m = nn.HardShrink(1)
    local x = T { -2, -1, -0.5, 0.5, 1, 3 }
    H.tensor(m:forward(x), { -2, 0, 0, 0, 0, 3 }, 0, "output")
    H.tensor(m:backward(x, T(6):fill(1)), { 1, 0, 0, 0, 0, 1 }, 0, "gradient")
    jacobian(nn.HardShrink(0.3), T(3, 4))
    floatAndClear(nn.HardShrink(), T(3, 4):uniform(-1, 1))
    roundTrip(m, x)
  end)

  it("nn.TanhShrink is x - tanh(x)", function()
    local m = nn.TanhShrink()
    local x = T { -1, 0, 2 }
    H.tensor(m:forward(x), { -1 + math.tanh(1), 0, 2 - math.tanh(2) }, 1e-15, "output")
    local t = math.tanh(2)
    H.tensor(m:backward(x, T { 0, 1, 1 }), { 0, 0, t * t }, 1e-15, "gradient tanh^2")
    jacobian(nn.TanhShrink(), T(3, 4))
    floatAndClear(nn.TanhShrink(), T(3, 4):uniform(-1, 1))
    roundTrip(m, x)
  end)
end)

describe("randomized and concatenated rectifiers", function()
  it("nn.RReLU draws one U(l, u) slope per input <= 0, in row-major order", function()
    local x = T { { 1, -1, -2 }, { 0, 3, -4 } }
    torch.manualSeed(7)
    local m = nn.RReLU(0.1, 0.3)
    local y = m:forward(x)
    torch.manualSeed(7)
    local slopes = T(4):uniform(0.1, 0.3)
    H.tensor(m.noise, { { 1, slopes[1], slopes[2] }, { slopes[3], 1, slopes[4] } }, 0, "noise")
    H.tensor(y, { { 1, -slopes[1], -2 * slopes[2] }, { 0, 3, -4 * slopes[4] } }, 1e-15, "output")
    H.tensor(m:backward(x, T(2, 3):fill(1)), m.noise, 0, "gradient is the slope")
    m:evaluate()
    local mid = (0.1 + 0.3) / 2
    H.tensor(m:forward(x), { { 1, -mid, -2 * mid }, { 0, 3, -4 * mid } }, 1e-15, "evaluate: mean slope")
    H.tensor(m:backward(x, T(2, 3):fill(1)), { { 1, mid, mid }, { mid, 1, mid } }, 1e-15, "evaluate gradient")
    jacobian(m, T(3, 4))
    expect.eq(tostring(nn.RReLU()), "nn.RReLU (l:0.125000, u:0.333333)", "prints")
    expect.error(function() nn.RReLU(0.5, 0.1) end, "lower <= upper")
  end)

  it("nn.RReLU in place writes the input and its gradient", function()
    local x = T { -1, 2 }
    local m = nn.RReLU(0.2, 0.2, true)
    local y = m:forward(x)
    expect.eq(torch.pointer(y:storage()), torch.pointer(x:storage()), "output shares the input")
    H.tensor(x, { -0.2, 2 }, 1e-15, "input overwritten")
    local g = T { 1, 1 }
    expect.eq(torch.pointer(m:backward(x, g):storage()), torch.pointer(g:storage()), "gradient in place")
    H.tensor(g, { 0.2, 1 }, 1e-15, "gradient")
    local r = nn.RReLU()
    r:forward(T(3):fill(-1))
    r:clearState()
    expect.eq(r.noise:nElement(), 0, "clearState drops the noise")
    local fixed = nn.RReLU()
    fixed:evaluate()
    roundTrip(fixed, T(4):fill(-1))
  end)

  it("nn.CReLU concatenates relu(x) and relu(-x) along the feature dimension", function()
    local m = nn.CReLU(3)
    local x = T(2, 1, 1, 2)
    x[1][1][1][1], x[1][1][1][2], x[2][1][1][1], x[2][1][1][2] = 1, -2, -3, 4
    local y = m:forward(x)
    expect.eq(H.size(y), "2x2x1x2", "batch: doubled planes")
    H.tensor(y, { { { { 1, 0 } }, { { 0, 2 } } }, { { { 0, 4 } }, { { 3, 0 } } } }, 0, "values")
    local single = m:forward(x[1])
    expect.eq(H.size(single), "2x1x2", "one sample")
    H.tensor(single, y[1], 0, "one sample = its batch row")
    jacobian(nn.CReLU(3), T(2, 3, 2, 2))
    jacobian(nn.CReLU(3), T(3, 2, 2))
    jacobian(nn.CReLU(1), T(4, 5))
    expect.eq(tostring(m), "CReLU()", "prints as Torch7")
    floatAndClear(nn.CReLU(3), T(2, 3, 2, 2):uniform(-1, 1))
    roundTrip(nn.CReLU(3), T(2, 3, 2, 2):uniform(-1, 1))
  end)

  it("nn.GatedLinearUnit multiplies the first half by the sigmoid of the second", function()
    local m = nn.GatedLinearUnit()
    local x = T { { 1, 2, 0, math.log(3) } }
    H.tensor(m:forward(x), { { 0.5, 2 * 0.75 } }, 1e-15, "a * sigmoid(b)")
    local g = m:backward(x, T { { 1, 1 } })
    H.tensor(g, { { 0.5, 0.75, 1 * 0.25, 2 * 0.75 * 0.25 } }, 1e-15, "gradient")
    expect.error(function() nn.GatedLinearUnit():forward(T(2, 3)) end, "even")
    jacobian(nn.GatedLinearUnit(), T(3, 6))
    jacobian(nn.GatedLinearUnit(2), T(2, 4, 3))
    floatAndClear(nn.GatedLinearUnit(), T(3, 4):uniform())
    roundTrip(nn.GatedLinearUnit(1), T(4, 2):uniform())
  end)

  it("nn.Maxout is Linear, View(k, n) and Max over the k pieces", function()
    torch.manualSeed(3)
    local m = nn.Maxout(4, 3, 2)
    local lin = m:get(1)
    local x = T(2, 4):uniform(-1, 1)
    local z = lin:forward(x):view(2, 2, 3)
    H.tensor(m:forward(x), torch.cmax(z:select(2, 1), z:select(2, 2)), 0, "max of the two pieces")
    H.tensor(m:forward(x[1]), torch.cmax(z[1][1], z[1][2]), 1e-15, "one sample")
    jacobian(m, T(2, 4))
    local err = nn.Jacobian.testJacobianParameters(m, T(2, 4), lin.weight, lin.gradWeight)
    expect.truthy(err < TOL, "weight Jacobian " .. err)
    expect.truthy(torch.isTypeOf(m, "nn.Sequential"), "a Sequential, as in Torch7")
    floatAndClear(nn.Maxout(4, 3, 2), T(2, 4):uniform())
    roundTrip(m, x)
  end)
end)
