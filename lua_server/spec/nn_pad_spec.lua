-- Padding and upsampling: SpatialZeroPadding (negative amounts crop),
-- SpatialReflectionPadding, SpatialReplicationPadding, SpatialUpSamplingNearest.
-- Hand-derived values and gradients, output sizes, C×H×W and N×C×H×W input, printing,
-- errors, and nn.Jacobian checks (< 1e-5, Double).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local J = nn.Jacobian
local TOL = 1e-5

local function jacobian(m, x)
  local err = J.testJacobian(m, x)
  expect.truthy(err < TOL, tostring(m) .. " Jacobian error " .. err)
end

local X = T { { { 1, 2, 3 }, { 4, 5, 6 } } }  -- 1x2x3

describe("nn.SpatialZeroPadding", function()
  it("keeps Torch7's fields and printing", function()
    local m = nn.SpatialZeroPadding(2)
    expect.eq(m.pad_l, 2); expect.eq(m.pad_r, 2); expect.eq(m.pad_t, 2); expect.eq(m.pad_b, 2)
    expect.eq(tostring(nn.SpatialZeroPadding(1, -1, 0, 1)), "nn.SpatialZeroPadding(l=1, r=-1, t=0, b=1)")
  end)

  it("pads with zeros and crops for negative amounts (hand-derived)", function()
    local m = nn.SpatialZeroPadding(1, -1, 0, 1)
    H.tensor(m:forward(X), { { { 0, 1, 2 }, { 0, 4, 5 }, { 0, 0, 0 } } }, 0, "output")
    local go = torch.range(1, 9):view(1, 3, 3)
    H.tensor(m:backward(X, go), { { { 2, 3, 0 }, { 5, 6, 0 } } }, 0, "gradInput: a crop of gradOutput")
    local p = nn.SpatialZeroPadding(1, 2, 3, 0)
    expect.eq(H.size(p:forward(T(2, 3, 4, 5))), "2x3x7x8", "batch: H 4+3+0, W 5+1+2")
    expect.error(function() nn.SpatialZeroPadding(-2):forward(T(1, 3, 3)) end, "input is too small")
    expect.error(function() m:forward(T(3, 3)) end, "input must be 3 or 4-dimensional")
    jacobian(nn.SpatialZeroPadding(1, -1, 2, -2), T(2, 5, 4))
    jacobian(nn.SpatialZeroPadding(2, 1, 0, 1), T(2, 2, 3, 4))
  end)
end)

describe("nn.SpatialReflectionPadding", function()
  it("mirrors the input at its borders (hand-derived)", function()
    local m = nn.SpatialReflectionPadding(2, 1, 1, 0)
    expect.eq(tostring(m), "nn.SpatialReflectionPadding(l=2, r=1, t=1, b=0)")
    H.tensor(m:forward(X), { { { 6, 5, 4, 5, 6, 5 }, { 3, 2, 1, 2, 3, 2 }, { 6, 5, 4, 5, 6, 5 } } }, 0, "output")
    -- each input pixel gets one gradient per output pixel that copies it
    H.tensor(m:backward(X, T(1, 3, 6):fill(1)), { { { 1, 3, 2 }, { 2, 6, 4 } } }, 0, "gradInput")
    local d = nn.SpatialReflectionPadding(1)
    expect.eq(d.pad_r, 1); expect.eq(d.pad_b, 1)
    expect.eq(H.size(d:forward(T(2, 3, 4, 5))), "2x3x6x7", "batch")
    expect.error(function() nn.SpatialReflectionPadding(3, 3, 1, 1):forward(T(1, 3, 3)) end,
      "Padding size should be less than the corresponding input dimension")
    expect.error(function() m:backward(X, T(1, 3, 5)) end, "input and gradOutput must be compatible in size")
    jacobian(nn.SpatialReflectionPadding(2, 1, 1, 2), T(2, 4, 3))
    jacobian(nn.SpatialReflectionPadding(1, 2, 2, 1), T(2, 2, 3, 3))
  end)
end)

describe("nn.SpatialReplicationPadding", function()
  it("repeats the border pixels (hand-derived)", function()
    local m = nn.SpatialReplicationPadding(2, 1, 1, 0)
    expect.eq(tostring(m), "nn.SpatialReplicationPadding(l=2, r=1, t=1, b=0)")
    H.tensor(m:forward(X), { { { 1, 1, 1, 2, 3, 3 }, { 1, 1, 1, 2, 3, 3 }, { 4, 4, 4, 5, 6, 6 } } }, 0, "output")
    H.tensor(m:backward(X, T(1, 3, 6):fill(1)), { { { 6, 2, 4 }, { 3, 1, 2 } } }, 0, "gradInput")
    expect.eq(H.size(nn.SpatialReplicationPadding(3):forward(T(2, 1, 2, 2))), "2x1x8x8", "batch")
    jacobian(nn.SpatialReplicationPadding(2, 1, 3, 2), T(2, 2, 3, 3))
    jacobian(nn.SpatialReplicationPadding(1, 0, 0, 2), T(2, 3, 2))
  end)
end)

describe("nn.SpatialUpSamplingNearest", function()
  it("repeats each pixel into a scale×scale block and sums the gradient back", function()
    local m = nn.SpatialUpSamplingNearest(2)
    expect.eq(m.scale_factor, 2)
    expect.eq(tostring(m), "nn.SpatialUpSamplingNearest")
    local x = T { { { 1, 2 }, { 3, 4 } } }
    H.tensor(m:forward(x), { { { 1, 1, 2, 2 }, { 1, 1, 2, 2 }, { 3, 3, 4, 4 }, { 3, 3, 4, 4 } } }, 0, "output")
    H.tensor(m:backward(x, torch.range(1, 16):view(1, 4, 4)), { { { 14, 22 }, { 46, 54 } } }, 0, "gradInput")
    expect.eq(H.size(nn.SpatialUpSamplingNearest(3):forward(T(2, 3, 2, 4))), "2x3x6x12", "batch")
    expect.error(function() nn.SpatialUpSamplingNearest(1.5) end, "scale_factor must be integer")
    expect.error(function() nn.SpatialUpSamplingNearest(0.5) end, "scale_factor must be greater than 1")
    expect.error(function() m:forward(T(4, 4)) end, "only support 3D or 4D tensors")
    jacobian(nn.SpatialUpSamplingNearest(2), T(2, 3, 2))
    jacobian(nn.SpatialUpSamplingNearest(3), T(2, 2, 2, 2))
  end)
end)
