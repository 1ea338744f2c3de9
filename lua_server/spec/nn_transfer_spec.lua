-- Transfer functions: HardTanh, Clamp, ReLU6, ELU, LeakyReLU, PReLU, SoftMax, LogSoftMax,
-- SpatialSoftMax, SoftPlus, SoftSign, LogSigmoid, Abs, Exp, Log, Square, Sqrt, Power,
-- GradientReversal. Hand-derived values, in-place behaviour, printouts, and nn.Jacobian
-- checks (error < 1e-5 in Double).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local TOL = 1e-5
local E = math.exp(1)

local function jacobian(m, x, lo, hi)
  local err = nn.Jacobian.testJacobian(m, x, lo, hi)
  expect.truthy(err < TOL, torch.type(m) .. " Jacobian error " .. err)
end

-- forward and backward (gradOutput of ones) against expected tables
local function check(m, x, out, grad, tol)
  H.tensor(m:forward(T(x)), out, tol or 1e-15, torch.type(m) .. " output")
  H.tensor(m:backward(T(x), T(#x):fill(1)), grad, tol or 1e-15, torch.type(m) .. " gradInput")
end

describe("clamping units", function()
  it("nn.HardTanh clamps to [min, max]; the gradient passes strictly inside", function()
    check(nn.HardTanh(), { -2, -0.5, 0.5, 2 }, { -1, -0.5, 0.5, 1 }, { 0, 1, 1, 0 })
    check(nn.HardTanh(-0.1, 0.2), { -2, 0, 0.5 }, { -0.1, 0, 0.2 }, { 0, 1, 0 })
    local x, g = T { -2, 0.5 }, T { 3, 3 }
    local m = nn.HardTanh(-1, 1, true)
    m:forward(x)
    H.tensor(x, { -1, 0.5 }, 0, "in place")
    local gi = m:backward(x, g)
    expect.eq(torch.pointer(gi:storage()), torch.pointer(g:storage()), "gradient in place")
    H.tensor(gi, { 0, 3 }, 0, "in-place gradient")
    expect.error(function() nn.HardTanh(1, -1) end, "max_value must be larger than min_value")
    jacobian(nn.HardTanh(), T(3, 5))
  end)

  it("nn.Clamp is a HardTanh with given bounds", function()
    local c = nn.Clamp(0, 1)
    expect.truthy(torch.isTypeOf(c, "nn.HardTanh"), "subclass")
    check(c, { -2, 0.5, 2 }, { 0, 0.5, 1 }, { 0, 1, 0 })
    jacobian(nn.Clamp(-0.5, 0.5), T(3, 5))
  end)

  it("nn.ReLU6 clamps to [0, 6]", function()
    check(nn.ReLU6(), { -1, 3, 7 }, { 0, 3, 6 }, { 0, 1, 0 })
    local x = T { -1, 8 }
    nn.ReLU6(true):forward(x)
    H.tensor(x, { 0, 6 }, 0, "in place")
    jacobian(nn.ReLU6(), T(3, 5), -3, 9)
  end)
end)

describe("rectifiers", function()
  it("nn.ELU", function()
    check(nn.ELU(2), { -1, 0.5 }, { 2 * (math.exp(-1) - 1), 0.5 }, { 2 * math.exp(-1), 1 })
    local x = T { -1, 0.5 }
    local m = nn.ELU(1, true)
    m:forward(x)
    H.tensor(x, { math.exp(-1) - 1, 0.5 }, 1e-15, "in place")
    H.tensor(m:backward(x, T { 1, 1 }), { math.exp(-1), 1 }, 1e-15, "gradient from the output")
    expect.eq(tostring(nn.ELU(2)), "nn.ELU (alpha:2.000000)", "prints")
    jacobian(nn.ELU(), T(3, 5))
    jacobian(nn.ELU(0.3), T(3, 5))
  end)

  it("nn.LeakyReLU", function()
    check(nn.LeakyReLU(0.1), { -2, 3 }, { -0.2, 3 }, { 0.1, 1 }, 1e-15)
    check(nn.LeakyReLU(), { -2, 3 }, { -0.02, 3 }, { 0.01, 1 }, 1e-15)
    local x = T { -2, 3 }
    nn.LeakyReLU(0.5, true):forward(x)
    H.tensor(x, { -1, 3 }, 0, "in place")
    expect.eq(nn.LeakyReLU(-0.1, true).inplace, false, "negative slope: never in place")
    expect.eq(nn.LeakyReLU(true).negval, 0.01, "LeakyReLU(true) keeps the default slope")
    expect.eq(tostring(nn.LeakyReLU(0.1)), "nn.LeakyReLU(0.1)", "prints")
    expect.eq(tostring(nn.LeakyReLU()), "nn.LeakyReLU(0.01)", "default")
    jacobian(nn.LeakyReLU(), T(3, 5))
    jacobian(nn.LeakyReLU(0.3), T(3, 5))
  end)

  it("nn.PReLU learns its slopes, shared or per channel", function()
    local m = nn.PReLU()
    expect.eq(m.weight[1], 0.25, "starts at 0.25")
    check(m, { -4, 2 }, { -1, 2 }, { 0.25, 1 })
    local c = nn.PReLU(2)
    c.weight:copy(T { 0.5, 2 })
    local x = T { { -1, -1 }, { 1, -2 } }
    H.tensor(c:forward(x), { { -0.5, -2 }, { 1, -4 } }, 0, "per channel (dim 2)")
    c:zeroGradParameters()
    H.tensor(c:backward(x, T(2, 2):fill(1)), { { 0.5, 2 }, { 1, 2 } }, 0, "gradInput")
    H.tensor(c.gradWeight, { -1, -3 }, 0, "sum of g x where x <= 0, per channel")
    expect.error(function() c:forward(T(2, 3)) end, "Wrong number of input planes. Expected 2 but got 3.")
    jacobian(nn.PReLU(), T(3, 5))
    for _, case in ipairs { { nn.PReLU(5), T(3, 5) }, { nn.PReLU(3), T(2, 3, 2, 2) }, { nn.PReLU(4), T(4) },
      { nn.PReLU(), T(2, 3) } } do
      local p, x = case[1], case[2]
      jacobian(p, x)
      local err = nn.Jacobian.testJacobianParameters(p, x, p.weight, p.gradWeight)
      expect.truthy(err < TOL, "PReLU parameter Jacobian " .. err)
    end
  end)
end)

describe("softmaxes", function()
  local sm = { 0.090030573170380462, 0.24472847105479767, 0.6652409557748219 }
  local lse = math.log(E + E ^ 2 + E ^ 3)

  it("nn.SoftMax normalizes over the feature dimension", function()
    H.tensor(nn.SoftMax():forward(T { 1, 2, 3 }), sm, 1e-15, "1-D")
    H.tensor(nn.SoftMax():forward(T { { 1, 2, 3 }, { 1, 2, 3 } }), { sm, sm }, 1e-15, "2-D: per row")
    local s3 = nn.SoftMax():forward(torch.randn(3, 2, 2)):sum(1)
    H.tensor(s3, T(1, 2, 2):fill(1), 1e-14, "3-D: over C")
    local s4 = nn.SoftMax():forward(torch.randn(2, 3, 2, 2)):sum(2)
    H.tensor(s4, T(2, 1, 2, 2):fill(1), 1e-14, "4-D: over C")
    local m = nn.SoftMax()
    m:forward(T { 1, 2, 3 })
    -- d/dx_j sum_i g_i s_i = s_j (g_j - sum g s): g = e_1
    H.tensor(m:backward(T { 1, 2, 3 }, T { 1, 0, 0 }),
      { sm[1] * (1 - sm[1]), -sm[1] * sm[2], -sm[1] * sm[3] }, 1e-15, "gradInput")
    expect.error(function() m:forward(T(2, 2, 2, 2, 2)) end, "vector, matrix, 3D or 4D tensor expected")
    for _, x in ipairs { T(5), T(3, 5), T(3, 2, 2), T(2, 3, 2, 2) } do jacobian(nn.SoftMax(), x) end
  end)

  it("nn.LogSoftMax", function()
    H.tensor(nn.LogSoftMax():forward(T { 1, 2, 3 }), { 1 - lse, 2 - lse, 3 - lse }, 1e-15, "1-D")
    local m = nn.LogSoftMax()
    m:forward(T { 1, 2, 3 })
    -- g_j - s_j sum g
    H.tensor(m:backward(T { 1, 2, 3 }, T { 1, 0, 0 }), { 1 - sm[1], -sm[2], -sm[3] }, 1e-15, "gradInput")
    local s3 = nn.LogSoftMax():forward(torch.randn(3, 2, 2)):exp():sum(1)
    H.tensor(s3, T(1, 2, 2):fill(1), 1e-14, "3-D: over C")
    for _, x in ipairs { T(5), T(3, 5), T(3, 2, 2), T(2, 3, 2, 2) } do jacobian(nn.LogSoftMax(), x) end
  end)

  it("nn.SpatialSoftMax normalizes over the planes at every pixel", function()
    local out = nn.SpatialSoftMax():forward(torch.randn(2, 3, 4, 4))
    H.tensor(out:sum(2), T(2, 1, 4, 4):fill(1), 1e-14, "per pixel")
    local x = T { { { 1 } }, { { 2 } }, { { 3 } } }
    H.tensor(nn.SpatialSoftMax():forward(x):view(3), sm, 1e-15, "values")
    jacobian(nn.SpatialSoftMax(), T(3, 2, 2))
    jacobian(nn.SpatialSoftMax(), T(2, 3, 2, 2))
  end)
end)

describe("smooth units", function()
  it("nn.SoftPlus", function()
    check(nn.SoftPlus(), { 0, 30 }, { math.log(2), 30 }, { 0.5, 1 })
    H.tensor(nn.SoftPlus(2):forward(T { 1 }), { math.log(1 + math.exp(2)) / 2 }, 1e-15, "beta 2")
    H.tensor(nn.SoftPlus(1, 5):forward(T { 6 }), { 6 }, 0, "linear above the threshold")
    jacobian(nn.SoftPlus(), T(3, 5))
    jacobian(nn.SoftPlus(3), T(3, 5))
  end)

  it("nn.SoftSign", function()
    check(nn.SoftSign(), { -1, 3 }, { -0.5, 0.75 }, { 0.25, 0.0625 })
    jacobian(nn.SoftSign(), T(3, 5))
  end)

  it("nn.LogSigmoid", function()
    check(nn.LogSigmoid(), { 0, 2 }, { -math.log(2), -math.log(1 + math.exp(-2)) },
      { 0.5, 1 - 1 / (1 + math.exp(-2)) }, 1e-15)
    H.tensor(nn.LogSigmoid():forward(T { -800 }), { -800 }, 1e-12, "stable for large |x|")
    jacobian(nn.LogSigmoid(), T(3, 5))
  end)
end)

describe("pointwise math", function()
  it("nn.Abs (gradient +1 at zero, as Torch7)", function()
    check(nn.Abs(), { -2, 0, 3 }, { 2, 0, 3 }, { -1, 1, 1 })
    jacobian(nn.Abs(), T(3, 5))
  end)

  it("nn.Exp and nn.Log", function()
    check(nn.Exp(), { 0, 1 }, { 1, E }, { 1, E })
    check(nn.Log(), { 1, E }, { 0, 1 }, { 1, 1 / E })
    jacobian(nn.Exp(), T(3, 5))
    jacobian(nn.Log(), T(3, 5), 0.5, 3)
  end)

  it("nn.Square, nn.Sqrt and nn.Power", function()
    check(nn.Square(), { -3, 2 }, { 9, 4 }, { -6, 4 })
    check(nn.Sqrt(), { 4, 9 }, { 2, 3 }, { 0.25, 1 / 6 })
    check(nn.Sqrt(1), { 3, 0 }, { 2, 1 }, { 0.25, 0.5 })
    check(nn.Sqrt(), { 0, 1 }, { 0, 1 }, { 0, 0.5 })
    check(nn.Power(3), { 2, -1 }, { 8, -1 }, { 12, 3 })
    check(nn.Power(0.5), { 4 }, { 2 }, { 0.25 })
    expect.error(function() nn.Power() end, "nn.Power(power)")
    jacobian(nn.Square(), T(3, 5))
    jacobian(nn.Sqrt(), T(3, 5), 0.5, 3)
    jacobian(nn.Sqrt(0.1), T(3, 5), 0.5, 3)
    jacobian(nn.Power(3), T(3, 5))
    jacobian(nn.Power(1.5), T(3, 5), 0.5, 3)
  end)

  it("nn.GradientReversal is the identity forward and flips the gradient", function()
    local m = nn.GradientReversal(0.5)
    local x = T { 1, 2 }
    local out = m:forward(x)
    expect.eq(torch.pointer(out:storage()), torch.pointer(x:storage()), "output shares the input")
    H.tensor(m:backward(x, T { 2, -4 }), { -1, 2 }, 0, "-lambda g")
    m:setLambda(2)
    H.tensor(m:backward(x, T { 1, 1 }), { -2, -2 }, 0, "setLambda")
    expect.eq(nn.GradientReversal().lambda, 1, "default lambda")
    -- the true Jacobian of the identity is I, backward gives -lambda I: the error is 1 + lambda
    expect.near(nn.Jacobian.testJacobian(nn.GradientReversal(0.5), T(4)), 1.5, 1e-6, "reversed")
  end)
end)
