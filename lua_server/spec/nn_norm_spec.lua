-- Normalization: BatchNormalization and SpatialBatchNormalization. Hand-derived outputs,
-- Torch7's running-statistics rule (running = (1 − m)·running + m·batch, unbiased batch
-- variance), evaluate() with the running statistics, Torch7's reset draws, parameter
-- gradients and accumulation, version-1 files, and nn.Jacobian checks (< 1e-5, Double).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local J = nn.Jacobian
local TOL = 1e-5

local function jacobian(m, x)
  local err = J.testJacobian(m, x)
  expect.truthy(err < TOL, tostring(m) .. " Jacobian error " .. err)
  if m.weight then
    err = J.testJacobianParameters(m, x, m.weight, m.gradWeight)
    expect.truthy(err < TOL, tostring(m) .. " weight Jacobian error " .. err)
    err = J.testJacobianParameters(m, x, m.bias, m.gradBias)
    expect.truthy(err < TOL, tostring(m) .. " bias Jacobian error " .. err)
  end
end

-- two samples per feature: means {2, 20}, biased variances {1, 100}
local X = { { 1, 10 }, { 3, 30 } }

describe("nn.BatchNormalization", function()
  it("keeps Torch7's fields, defaults, draws and printing", function()
    torch.manualSeed(11)
    local m = nn.BatchNormalization(4)
    expect.eq(m.eps, 1e-5); expect.eq(m.momentum, 0.1); expect.eq(m.affine, true); expect.eq(m.train, true)
    expect.eq(m.nDim, 2)
    torch.manualSeed(11)
    H.tensor(m.weight, T(4):uniform(), 0, "weight drawn from U(0, 1)")
    H.tensor(m.bias, { 0, 0, 0, 0 }, 0, "bias")
    H.tensor(m.running_mean, { 0, 0, 0, 0 }, 0, "running_mean")
    H.tensor(m.running_var, { 1, 1, 1, 1 }, 0, "running_var")
    expect.eq(tostring(m), "nn.BatchNormalization (2D) (4)")
    local plain = nn.BatchNormalization(3, 1e-3, 0.5, false)
    expect.eq(plain.weight, nil); expect.eq(plain.bias, nil)
    expect.eq(plain.eps, 1e-3); expect.eq(plain.momentum, 0.5)
    expect.eq(plain:parameters(), nil, "no parameters without affine")
    expect.error(function() nn.BatchNormalization() end, "Missing argument #1")
    expect.error(function() nn.BatchNormalization(3, 1e-5, 0.1, 1) end, "affine has to be true/false")
  end)

  it("normalizes with the batch statistics and updates the running ones (hand-derived)", function()
    local m = nn.BatchNormalization(2, 0)
    m.weight:copy(T { 2, 3 }); m.bias:copy(T { 0.5, -1 })
    -- x̂ = {{-1, -1}, {1, 1}}; y = x̂·w + b
    H.tensor(m:forward(T(X)), { { -1.5, -4 }, { 2.5, 2 } }, 1e-12, "output")
    -- running = 0.9·running + 0.1·batch, the variance unbiased: {2, 200}
    H.tensor(m.running_mean, { 0.2, 2 }, 1e-12, "running_mean")
    H.tensor(m.running_var, { 1.1, 20.9 }, 1e-12, "running_var")
    H.tensor(m.save_mean, { 2, 20 }, 1e-12, "save_mean")
    H.tensor(m.save_std, { 1, 0.1 }, 1e-12, "save_std is 1/sqrt(var + eps)")
    m:forward(T(X))
    H.tensor(m.running_mean, { 0.38, 3.8 }, 1e-12, "running_mean after two batches")
    H.tensor(m.running_var, { 1.19, 38.81 }, 1e-12, "running_var after two batches")
  end)

  it("takes the running statistics in evaluate(), one sample or a batch", function()
    local m = nn.BatchNormalization(2, 0)
    m.weight:copy(T { 2, 3 }); m.bias:copy(T { 0.5, -1 })
    m.running_mean:copy(T { 1, 10 }); m.running_var:copy(T { 4, 25 })
    m:evaluate()
    expect.eq(m.train, false)
    H.tensor(m:forward(T(X)), { { 0.5, -1 }, { 2.5, 11 } }, 1e-12, "batch")
    H.tensor(m.running_mean, { 1, 10 }, 0, "running_mean unchanged")
    local y = m:forward(T { 3, 30 })
    H.tensor(y, { { 2.5, 11 } }, 1e-12, "a single sample comes out as a batch of one, as in Torch7")
    -- gradInput is gradOutput·w/sqrt(running_var + eps)
    H.tensor(m:backward(T(X), T { { 1, 1 }, { 2, 2 } }), { { 1, 0.6 }, { 2, 1.2 } }, 1e-12, "gradInput")
    m:training()
    expect.error(function() m:forward(T { 3, 30 }) end, "only mini-batch supported (2D tensor), got 1D tensor instead")
    expect.error(function() m:forward(T(2, 3)) end, "got 3-feature tensor, expected 2")
  end)

  it("accumulates parameter gradients (hand-derived)", function()
    local m = nn.BatchNormalization(2, 0)
    m:zeroGradParameters()
    local go = T { { 1, 2 }, { 3, 4 } }
    m:forward(T(X))
    local gi = m:backward(T(X), go)
    -- gradWeight = Σ go·x̂, gradBias = Σ go; with two samples x̂ cannot move: gradInput = 0
    H.tensor(m.gradWeight, { 2, 2 }, 1e-12, "gradWeight")
    H.tensor(m.gradBias, { 4, 6 }, 1e-12, "gradBias")
    H.tensor(gi, { { 0, 0 }, { 0, 0 } }, 1e-12, "gradInput")
    m:accGradParameters(T(X), go, 0.5)
    H.tensor(m.gradWeight, { 3, 3 }, 1e-12, "accGradParameters adds scale·gradient")
    H.tensor(m.gradBias, { 6, 9 }, 1e-12, "gradBias accumulated")
  end)

  it("passes the Jacobian checks in training and in evaluation", function()
    jacobian(nn.BatchNormalization(3), T(5, 3))
    jacobian(nn.BatchNormalization(3, 1e-3, 0.1, false), T(4, 3))
    local e = nn.BatchNormalization(3)
    e.running_mean:uniform(-1, 1); e.running_var:uniform(0.5, 1.5)
    e:evaluate()
    jacobian(e, T(4, 3))
  end)

  it("converts version-1 running_std when reading old files", function()
    local m = nn.BatchNormalization(2)
    local fields = { eps = 0.5, running_std = T { 0.5, 1 }, running_mean = T { 0, 0 }, train = true,
      momentum = 0.1, affine = false, output = T(), gradInput = T() }
    m:read({ readObject = function() return fields end }, 1)
    H.tensor(m.running_var, { 3.5, 0.5 }, 1e-12, "running_std^-2 - eps")
    expect.eq(m.running_std, nil)
    expect.eq(nn.BatchNormalization.__version, 2)
  end)
end)

describe("nn.SpatialBatchNormalization", function()
  it("normalizes each plane over the batch and the pixels (hand-derived)", function()
    local m = nn.SpatialBatchNormalization(2, 0)
    expect.eq(m.nDim, 4)
    expect.eq(tostring(m), "nn.SpatialBatchNormalization (4D) (2)")
    m.weight:fill(1); m.bias:fill(0)
    local x = T { { { { 1, 3 } }, { { 10, 30 } } } }  -- 1x2x1x2
    H.tensor(m:forward(x), { { { { -1, 1 } }, { { -1, 1 } } } }, 1e-12, "output")
    H.tensor(m.running_var, { 1.1, 20.9 }, 1e-12, "running_var uses the unbiased variance")
    m:evaluate()
    expect.eq(H.size(m:forward(T(2, 4, 4):fill(1))), "1x2x4x4", "C×H×W in evaluation")
    expect.error(function() nn.SpatialBatchNormalization(2):forward(T(2, 4, 4)) end,
      "only mini-batch supported (4D tensor), got 3D tensor instead")
    jacobian(nn.SpatialBatchNormalization(2), T(3, 2, 2, 3))
    local e = nn.SpatialBatchNormalization(2)
    e.running_mean:uniform(-1, 1); e.running_var:uniform(0.5, 1.5)
    e:evaluate()
    jacobian(e, T(2, 2, 3, 2))
  end)

  it("works after float()", function()
    local m = nn.SpatialBatchNormalization(3):float()
    local y = m:forward(torch.FloatTensor(2, 3, 2, 2):uniform())
    expect.eq(torch.type(y), "torch.FloatTensor")
    expect.eq(torch.type(m.running_mean), "torch.FloatTensor")
    m:evaluate()
    expect.eq(H.size(m:forward(torch.FloatTensor(2, 3, 2, 2):uniform())), "2x3x2x2")
  end)
end)
