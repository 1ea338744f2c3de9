-- Pooling: SpatialMaxPooling, SpatialAveragePooling, SpatialAdaptiveMaxPooling,
-- VolumetricMaxPooling. Hand-derived values and Torch7's 1-based indices, output sizes in
-- floor and ceil mode (with Torch7's "last window starts inside the image" rule), the
-- count_include_pad choice, printing, and nn.Jacobian checks (< 1e-5, Double).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local J = nn.Jacobian
local TOL = 1e-5

local function jacobian(m, x)
  local err = J.testJacobian(m, x)
  expect.truthy(err < TOL, tostring(m) .. " Jacobian error " .. err)
end

-- 1..n*n as an n×n plane inside a 1×n×n tensor
local function ramp(n)
  return torch.range(1, n * n):view(1, n, n)
end

describe("nn.SpatialMaxPooling", function()
  it("keeps Torch7's fields, defaults and printing", function()
    local m = nn.SpatialMaxPooling(3, 2)
    expect.eq(m.dW, 3, "dW defaults to kW"); expect.eq(m.dH, 2, "dH defaults to kH")
    expect.eq(m.padW, 0); expect.eq(m.padH, 0)
    expect.eq(m.ceil_mode, false)
    expect.eq(torch.type(m.indices), "torch.LongTensor")
    expect.eq(tostring(m), "nn.SpatialMaxPooling(3x2, 3,2)")
    expect.eq(tostring(nn.SpatialMaxPooling(3, 3, 2, 2, 1, 1)), "nn.SpatialMaxPooling(3x3, 2,2, 1,1)")
    expect.truthy(m:ceil() == m and m.ceil_mode == true, "ceil() sets ceil_mode and returns self")
    expect.truthy(m:floor() == m and m.ceil_mode == false, "floor()")
  end)

  it("takes window maxima, records 1-based indices and routes gradients (hand-derived)", function()
    local m = nn.SpatialMaxPooling(2, 2)
    local x = T { { { 1, 5, 2, 0 }, { 3, 4, 8, 1 }, { 0, 2, 7, 6 }, { 9, 1, 3, 5 } } }
    H.tensor(m:forward(x), { { { 5, 8 }, { 9, 7 } } }, 0, "output")
    -- position y*iwidth + x + 1 within the plane, as Torch7 stores them
    H.tensor(m.indices:double(), { { { 2, 7 }, { 13, 11 } } }, 0, "indices")
    expect.eq(torch.type(m.indices), "torch.LongTensor")
    local gi = m:backward(x, T { { { 1, 2 }, { 3, 4 } } })
    H.tensor(gi, { { { 0, 1, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 4, 0 }, { 3, 0, 0, 0 } } }, 0, "gradInput")
    -- a batch of two: each sample pooled alone
    local xb = torch.cat(x:view(1, 1, 4, 4), (-x):view(1, 1, 4, 4), 1)
    H.tensor(m:forward(xb), { { { { 5, 8 }, { 9, 7 } } }, { { { -1, 0 }, { 0, -3 } } } }, 0, "batch")
  end)

  it("sizes the output by floor or ceil", function()
    local x = ramp(5)
    local m = nn.SpatialMaxPooling(2, 2, 2, 2)
    expect.eq(H.size(m:forward(x)), "1x2x2", "floor((5-2)/2)+1")
    local y = m:ceil():forward(x)
    expect.eq(H.size(y), "1x3x3", "ceil((5-2)/2)+1")
    H.tensor(y, { { { 7, 9, 10 }, { 17, 19, 20 }, { 22, 24, 25 } } }, 0, "ceil-mode windows run past the edge")
    local p = nn.SpatialMaxPooling(3, 3, 2, 2, 1, 1)
    expect.eq(H.size(p:forward(ramp(6))), "1x3x3", "floor((6+2-3)/2)+1")
    expect.eq(H.size(p:ceil():forward(ramp(6))), "1x4x4", "ceil((6+2-3)/2)+1")
    -- ceil would give 4, but the 4th window would start in the padding: Torch7 drops it
    local q = nn.SpatialMaxPooling(2, 2, 2, 2, 1, 1):ceil()
    expect.eq(H.size(q:forward(ramp(5))), "1x3x3", "the last window must start inside the image")
    H.tensor(q.output, { { { 1, 3, 5 }, { 11, 13, 15 }, { 21, 23, 25 } } }, 0, "padded values")
  end)

  it("passes the Jacobian checks", function()
    jacobian(nn.SpatialMaxPooling(2, 2, 2, 2), T(2, 5, 5))
    jacobian(nn.SpatialMaxPooling(3, 2, 2, 1, 1, 1):ceil(), T(2, 2, 6, 5))
  end)

  it("rejects bad inputs", function()
    expect.error(function() nn.SpatialMaxPooling(2, 2):forward(T(5)) end,
      "nn.SpatialMaxPooling: 3D or 4D (batch mode) tensor expected for input")
    expect.error(function() nn.SpatialMaxPooling(3, 3):forward(T(1, 2, 2)) end, "Output size is too small")
    expect.error(function() nn.SpatialMaxPooling(2, 2, 2, 2, 2, 2):forward(T(1, 5, 5)) end, "pad should be")
  end)
end)

describe("nn.SpatialAveragePooling", function()
  it("keeps Torch7's fields, defaults and printing", function()
    local m = nn.SpatialAveragePooling(3, 2)
    expect.eq(m.dW, 1, "dW defaults to 1"); expect.eq(m.dH, 1)
    expect.eq(m.padW, 0); expect.eq(m.padH, 0)
    expect.eq(m.ceil_mode, false); expect.eq(m.count_include_pad, true); expect.eq(m.divide, true)
    expect.eq(tostring(m), "nn.SpatialAveragePooling(3x2, 1,1)")
    expect.eq(tostring(nn.SpatialAveragePooling(2, 2, 2, 2, 1, 0)), "nn.SpatialAveragePooling(2x2, 2,2, 1,0)")
    expect.truthy(m:setCountExcludePad() == m and m.count_include_pad == false, "setCountExcludePad")
    expect.truthy(m:setCountIncludePad() == m and m.count_include_pad == true, "setCountIncludePad")
  end)

  it("averages each window (hand-derived)", function()
    local m = nn.SpatialAveragePooling(2, 2)
    H.tensor(m:forward(ramp(3)), { { { 3, 4 }, { 6, 7 } } }, 0, "stride 1")
    H.tensor(m:backward(ramp(3), T(1, 2, 2):fill(1)), { { { 0.25, 0.5, 0.25 }, { 0.5, 1, 0.5 }, { 0.25, 0.5, 0.25 } } },
      0, "gradInput")
    -- ceil mode: windows past the edge average the pixels they cover
    local c = nn.SpatialAveragePooling(2, 2, 2, 2):ceil()
    H.tensor(c:forward(ramp(3)), { { { 3, 4.5 }, { 7.5, 9 } } }, 0, "ceil")
    expect.eq(H.size(nn.SpatialAveragePooling(2, 2, 2, 2):forward(ramp(3))), "1x1x1", "floor")
  end)

  it("divides by the padded window or by the pixels inside, as asked", function()
    local x = T { { { 1, 2 }, { 3, 4 } } }
    local m = nn.SpatialAveragePooling(2, 2, 2, 2, 1, 1)
    H.tensor(m:forward(x), { { { 0.25, 0.5 }, { 0.75, 1 } } }, 0, "count_include_pad")
    m:setCountExcludePad()
    H.tensor(m:forward(x), { { { 1, 2 }, { 3, 4 } } }, 0, "count exclude pad")
    H.tensor(m:backward(x, T(1, 2, 2):fill(1)), { { { 1, 1 }, { 1, 1 } } }, 0, "gradInput")
  end)

  it("sums instead of averaging for models saved with divide = false", function()
    local m = nn.SpatialAveragePooling(2, 2)
    m.divide = false
    H.tensor(m:forward(ramp(3)), { { { 12, 16 }, { 24, 28 } } }, 0, "sums")
    H.tensor(m:backward(ramp(3), T(1, 2, 2):fill(1)), { { { 1, 2, 1 }, { 2, 4, 2 }, { 1, 2, 1 } } }, 0, "gradInput")
  end)

  it("passes the Jacobian checks", function()
    jacobian(nn.SpatialAveragePooling(3, 2, 2, 1, 1, 1), T(2, 2, 5, 6))
    jacobian(nn.SpatialAveragePooling(3, 3, 2, 2, 1, 1):setCountExcludePad():ceil(), T(2, 6, 5))
  end)
end)

describe("nn.SpatialAdaptiveMaxPooling", function()
  it("pools to a fixed size with overlapping windows (hand-derived)", function()
    local m = nn.SpatialAdaptiveMaxPooling(2, 2)
    expect.eq(m.W, 2); expect.eq(m.H, 2)
    expect.eq(tostring(m), "nn.SpatialAdaptiveMaxPooling")
    -- rows and columns {1,2} and {2,3}: floor(i*3/2) .. ceil((i+1)*3/2)
    H.tensor(m:forward(ramp(3)), { { { 5, 6 }, { 8, 9 } } }, 0, "output")
    H.tensor(m.indices:double(), { { { 5, 6 }, { 8, 9 } } }, 0, "1-based indices")
    H.tensor(m:backward(ramp(3), T(1, 2, 2):fill(1)), { { { 0, 0, 0 }, { 0, 1, 1 }, { 0, 1, 1 } } }, 0, "gradInput")
    local cols = nn.SpatialAdaptiveMaxPooling(3, 1)
    H.tensor(cols:forward(T { { { 1, 9, 2 }, { 4, 0, 6 } } }), { { { 4, 9, 6 } } }, 0, "W=3, H=1: column maxima")
    expect.eq(H.size(m:forward(T(3, 2, 7, 5))), "3x2x2x2", "batch")
    jacobian(nn.SpatialAdaptiveMaxPooling(2, 3), T(2, 2, 7, 5))
  end)
end)

describe("nn.VolumetricMaxPooling", function()
  it("keeps Torch7's fields and printing", function()
    local m = nn.VolumetricMaxPooling(2, 3, 4)
    expect.eq(m.dT, 2); expect.eq(m.dW, 3); expect.eq(m.dH, 4)
    expect.eq(m.padT, 0); expect.eq(m.ceil_mode, false)
    expect.eq(tostring(m), "nn.VolumetricMaxPooling(2x3x4, 2,3,4)")
    expect.eq(tostring(nn.VolumetricMaxPooling(2, 2, 2, 1, 1, 1, 1, 0, 1)),
      "nn.VolumetricMaxPooling(2x2x2, 1,1,1, 1,0,1)")
  end)

  it("takes maxima over time too (hand-derived)", function()
    local m = nn.VolumetricMaxPooling(2, 2, 2)
    local x = torch.range(1, 16):view(1, 2, 2, 4)  -- C x T x H x W
    H.tensor(m:forward(x), { { { { 14, 16 } } } }, 0, "output")
    H.tensor(m.indices:double(), { { { { 14, 16 } } } }, 0, "1-based indices within the volume")
    local gi = m:backward(x, T(1, 1, 1, 2):fill(1))
    expect.eq(gi[1][2][2][2], 1); expect.eq(gi[1][2][2][4], 1); expect.eq(gi:sum(), 2)
    local c = nn.VolumetricMaxPooling(2, 2, 2):ceil()
    expect.eq(H.size(c:forward(T(2, 3, 3, 5))), "2x2x2x3", "ceil")
    expect.eq(H.size(c:floor():forward(T(2, 3, 3, 5))), "2x1x1x2", "floor")
    jacobian(nn.VolumetricMaxPooling(2, 2, 2, 1, 2, 2, 1, 1, 1), T(2, 2, 4, 5, 4))
  end)
end)
