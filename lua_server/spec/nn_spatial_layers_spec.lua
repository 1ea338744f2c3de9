-- Spatial layers added for Torch7's full nn: hand-derived forward values (or equality with
-- an existing layer computing the same thing), then the shared checks of nn_layer_checks:
-- nn.Jacobian for input and parameters (< 1e-5), float/type, clearState, .t7 round trip and
-- printing. Inputs stay tiny: finite differences cost one forward per element.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
local C = dofile(here .. "lua_server/spec/nn_layer_checks.lua")

local T = torch.Tensor

local function ramp(...)
  local sizes = { ... }
  local n = 1
  for _, s in ipairs(sizes) do n = n * s end
  return torch.range(1, n):view(...)
end

local function full_table(nin, nout)
  local t, p = T(nin * nout, 2), 1
  for j = 1, nout do for i = 1, nin do t[p][1], t[p][2], p = i, j, p + 1 end end
  return t
end

describe("nn.SpatialSubSampling", function()
  it("sums each window, scales by the plane's weight and adds its bias", function()
    local m = nn.SpatialSubSampling(2, 2, 2, 2, 2)
    m.weight:copy(T { 0.5, -1 }); m.bias:copy(T { 1, 2 })
    local x = torch.cat(ramp(1, 4, 4), torch.ones(1, 4, 4), 1)
    -- plane 1 top-left window 1+2+5+6 = 14 → 0.5·14 + 1; plane 2 windows sum 4 → −4 + 2
    H.tensor(m:forward(x), { { { 8, 12 }, { 24, 28 } }, { { -2, -2 }, { -2, -2 } } }, 1e-12)
    local gi = m:backward(x, torch.ones(2, 2, 2))
    H.tensor(gi, torch.cat(torch.Tensor(1, 4, 4):fill(0.5), torch.Tensor(1, 4, 4):fill(-1), 1), 1e-12, "gradInput")
    H.tensor(m.gradWeight, { 136, 16 }, 1e-12, "gradWeight: Σ of the windows")
    H.tensor(m.gradBias, { 4, 4 }, 1e-12, "gradBias")
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialSubSampling(2, 2, 3, 1, 2), T(2, 2, 4, 5))
    C.lifecycle(nn.SpatialSubSampling(2, 2, 2), torch.randn(2, 2, 4, 4), "nn.SpatialSubSampling")
  end)
end)

describe("nn.SpatialConvolutionLocal", function()
  it("equals SpatialConvolution when every position has the same kernel", function()
    local conv = nn.SpatialConvolution(2, 3, 2, 2, 2, 1, 1, 1)
    local m = nn.SpatialConvolutionLocal(2, 3, 5, 4, 2, 2, 2, 1, 1, 1)
    expect.eq(H.size(m.weight), "5x3x3x2x2x2", "oH×oW×nOut×nIn×kH×kW")
    expect.eq(H.size(m.bias), "3x5x3")
    for i = 1, m.oH do for j = 1, m.oW do m.weight[i][j]:copy(conv.weight) end end
    for o = 1, 3 do m.bias[o]:fill(conv.bias[o]) end
    local x = torch.randn(2, 2, 4, 5)
    expect.truthy(C.max_diff(m:forward(x), conv:forward(x)) < 1e-12, "same output")
    local g = torch.randn(conv.output:size())
    expect.truthy(C.max_diff(m:backward(x, g), conv:backward(x, g)) < 1e-12, "same gradInput")
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialConvolutionLocal(2, 2, 3, 3, 2, 2), T(2, 3, 3))
    C.jacobian(nn.SpatialConvolutionLocal(1, 2, 4, 3, 2, 2, 2, 1, 1, 0), T(2, 1, 3, 4))
    C.lifecycle(nn.SpatialConvolutionLocal(2, 3, 4, 4, 3, 3, 1, 1, 1, 1), torch.randn(2, 4, 4),
      "nn.SpatialConvolutionLocal(2 -> 3, 4x4, 3x3, 1,1, 1,1)")
    expect.error(function() nn.SpatialConvolutionLocal(2, 3, 4, 4, 3, 3):forward(T(2, 5, 4)) end, "size mismatch")
  end)
end)

describe("nn.SpatialConvolutionMap and nn.SpatialFullConvolutionMap", function()
  it("with a full table equal SpatialConvolution / SpatialFullConvolution", function()
    local tbl = full_table(2, 3)
    local map = nn.SpatialConvolutionMap(tbl, 3, 2, 2, 1)
    local conv = nn.SpatialConvolution(2, 3, 3, 2, 2, 1)
    for k = 1, tbl:size(1) do map.weight[k]:copy(conv.weight[tbl[k][2]][tbl[k][1]]) end
    map.bias:copy(conv.bias)
    local x = torch.randn(2, 2, 5, 6)
    expect.truthy(C.max_diff(map:forward(x), conv:forward(x)) < 1e-12, "convolution output")
    local full = nn.SpatialFullConvolutionMap(tbl, 3, 2, 2, 1)
    local deconv = nn.SpatialFullConvolution(2, 3, 3, 2, 2, 1)
    for k = 1, tbl:size(1) do full.weight[k]:copy(deconv.weight[tbl[k][1]][tbl[k][2]]) end
    full.bias:copy(deconv.bias)
    local xs = torch.randn(2, 3, 4)
    expect.truthy(C.max_diff(full:forward(xs), deconv:forward(xs)) < 1e-12, "full convolution output")
  end)

  it("connects only the listed planes", function()
    -- output 1 sees input 2 only, output 2 input 1 only
    local m = nn.SpatialConvolutionMap(T { { 2, 1 }, { 1, 2 } }, 1, 1)
    expect.eq(m.nInputPlane, 2); expect.eq(m.nOutputPlane, 2)
    m.weight:copy(T { 2, 3 }:view(2, 1, 1)); m.bias:zero()
    local x = torch.cat(torch.ones(1, 2, 2), torch.ones(1, 2, 2):mul(10), 1)
    H.tensor(m:forward(x), { { { 20, 20 }, { 20, 20 } }, { { 3, 3 }, { 3, 3 } } }, 1e-12)
  end)

  it("leave out input planes the table does not name (a random table may skip the last)", function()
    -- as Torch7: an input with more planes than the table's largest is accepted; the extra
    -- planes change nothing and get a zero gradient
    local tbl = T { { 1, 1 }, { 2, 1 }, { 1, 2 } }
    for _, cls in ipairs { "SpatialConvolutionMap", "SpatialFullConvolutionMap" } do
      torch.manualSeed(2)
      local m = nn[cls](tbl, 2, 2)
      local x = torch.randn(2, 3, 4, 4)
      local go = m:forward(x):clone():normal()
      local y = m:forward(x):clone()
      local gi = m:backward(x, go):clone()
      local used = x:narrow(2, 1, 2)
      H.tensor(y, m:forward(used), 0, cls .. " output")
      H.tensor(gi:narrow(2, 1, 2), m:updateGradInput(used, go), 0, cls .. " gradInput of used planes")
      expect.eq(gi:narrow(2, 3, 1):abs():max(), 0, cls .. " gradInput of the unused plane")
      expect.error(function() m:forward(torch.randn(1, 4, 4)) end, "the connection table needs 2")
    end
  end)

  it("draws each kernel U(−1/sqrt(kW·kH·fanIn), ...) after manualSeed", function()
    torch.manualSeed(5)
    local m = nn.SpatialConvolutionMap(T { { 1, 1 }, { 2, 1 }, { 1, 2 } }, 2, 2)
    torch.manualSeed(5)
    local s1, s2 = 1 / math.sqrt(4 * 2), 1 / math.sqrt(4 * 1)
    H.tensor(m.weight[1], T(2, 2):uniform(-s1, s1), 0, "kernel 1, output 1 has fan-in 2")
    H.tensor(m.weight[2], T(2, 2):uniform(-s1, s1), 0, "kernel 2")
    H.tensor(m.weight[3], T(2, 2):uniform(-s2, s2), 0, "kernel 3, output 2 has fan-in 1")
  end)

  it("pass the shared checks", function()
    local tbl = T { { 1, 1 }, { 2, 1 }, { 2, 2 } }
    C.jacobian(nn.SpatialConvolutionMap(tbl, 2, 2, 2, 1), T(2, 4, 4))
    C.jacobian(nn.SpatialFullConvolutionMap(tbl, 2, 2, 2, 1), T(2, 3, 2))
    C.lifecycle(nn.SpatialConvolutionMap(tbl, 2, 2), torch.randn(2, 2, 4, 4), "nn.SpatialConvolutionMap")
    C.lifecycle(nn.SpatialFullConvolutionMap(tbl, 2, 2), torch.randn(2, 3, 3), "nn.SpatialFullConvolutionMap")
  end)
end)

describe("nn.SpatialDepthWiseConvolution", function()
  it("output plane (i−1)·multiplier + m is input plane i convolved with kernel m", function()
    local m = nn.SpatialDepthWiseConvolution(2, 3, 2, 2, 1, 1, 1, 1)
    expect.eq(H.size(m.weight), "3x8"); expect.eq(H.size(m.bias), "3x2")
    local x = torch.randn(2, 4, 3)
    local y = m:forward(x)
    expect.eq(H.size(y), "6x5x4")
    local w = m.weight:view(3, 2, 2, 2)
    for i = 1, 2 do
      for k = 1, 3 do
        local ref = nn.SpatialConvolution(1, 1, 2, 2, 1, 1, 1, 1)
        ref.weight:copy(w[k][i]); ref.bias:fill(m.bias[k][i])
        expect.truthy(C.max_diff(y[(i - 1) * 3 + k], ref:forward(x[{ { i } }])[1]) < 1e-12, "plane " .. i .. " kernel " .. k)
      end
    end
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialDepthWiseConvolution(2, 2, 2, 2, 2, 1, 1, 0), T(2, 2, 3, 4))
    C.lifecycle(nn.SpatialDepthWiseConvolution(2, 2, 3, 3, 2, 2, 1, 1), torch.randn(2, 5, 5),
      "nn.SpatialDepthWiseConvolution(2 -> 2, 3x3, 2,2, 1,1)")
  end)
end)

describe("nn.SpatialDilatedMaxPooling", function()
  it("takes maxima over dilated windows and keeps 1-based plane indices", function()
    local m = nn.SpatialDilatedMaxPooling(2, 2, 1, 1, 0, 0, 2, 2)
    local x = ramp(1, 4, 4)
    -- window (y, x) covers (y, x), (y, x+2), (y+2, x), (y+2, x+2): the maximum is the last
    H.tensor(m:forward(x), { { { 11, 12 }, { 15, 16 } } }, 0)
    H.tensor(m.indices:double(), { { { 11, 12 }, { 15, 16 } } }, 0, "indices")
    local gi = m:backward(x, T { { { 1, 2 }, { 3, 4 } } })
    expect.eq(gi:sum(), 10); expect.eq(gi[1][3][3], 1); expect.eq(gi[1][4][4], 4)
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialDilatedMaxPooling(2, 2, 1, 2, 1, 0, 2, 1), T(2, 5, 6))
    C.lifecycle(nn.SpatialDilatedMaxPooling(2, 2, 2, 2, 1, 1, 2, 2), torch.randn(2, 2, 6, 6),
      "nn.SpatialDilatedMaxPooling(2x2, 2,2, 1,1, 2,2)")
  end)
end)

describe("nn.SpatialMaxUnpooling", function()
  it("puts each value back where its pooling found the maximum", function()
    local pool = nn.SpatialMaxPooling(2, 2)
    local unpool = nn.SpatialMaxUnpooling(pool)
    local x = T { { { 1, 5, 2, 0 }, { 3, 4, 8, 1 }, { 0, 2, 7, 6 }, { 9, 1, 3, 5 } } }
    local y = unpool:forward(pool:forward(x))
    H.tensor(y, { { { 0, 5, 0, 0 }, { 0, 0, 8, 0 }, { 0, 0, 7, 0 }, { 9, 0, 0, 0 } } }, 0)
    H.tensor(unpool:backward(pool.output, ramp(1, 4, 4)), { { { 2, 7 }, { 13, 11 } } }, 0, "gradInput")
    expect.eq(tostring(unpool), "nn.SpatialMaxUnpooling associated to nn.SpatialMaxPooling(2x2, 2,2)")
    expect.error(function() nn.SpatialMaxUnpooling(nn.SpatialMaxPooling(3, 3, 2, 2)) end, "kernel must be equal to its stride")
  end)

  it("passes the shared checks", function()
    local pool = nn.SpatialMaxPooling(2, 2, 2, 2, 1, 0)
    local m = nn.SpatialMaxUnpooling(pool)
    C.jacobian(m, pool:forward(torch.rand(2, 2, 4, 4)))
    local x = pool:forward(torch.rand(2, 4, 4)):clone()
    C.lifecycle(m, x)
  end)
end)

describe("nn.SpatialFractionalMaxPooling", function()
  it("pools to the requested size; each output is the input at its index", function()
    torch.manualSeed(1)
    local m = nn.SpatialFractionalMaxPooling(2, 2, 3, 4)
    local x = torch.randn(2, 2, 7, 8)
    local y = m:forward(x)
    expect.eq(H.size(y), "2x2x4x3", "outH x outW")
    expect.eq(H.size(m.randomSamples), "2x2x2", "one sample per plane and dimension")
    local planes = x:view(4, 56)
    local idx = m.indices:view(4, 12)
    H.tensor(y:view(4, 12), planes:gather(2, idx), 0, "values at indices")
    expect.eq(H.size(nn.SpatialFractionalMaxPooling(2, 2, 0.5, 0.5):forward(x)), "2x2x3x4", "floor(ratio·size)")
  end)

  it("draws new regions each forward unless fixed", function()
    local m = nn.SpatialFractionalMaxPooling(2, 2, 3, 3)
    local x = torch.randn(1, 8, 8)
    m:forward(x)
    local s = m.randomSamples:clone()
    m:forward(x)
    expect.truthy(C.max_diff(s, m.randomSamples) > 0, "new samples")
    m:fixPoolingRegions()
    s = m.randomSamples:clone()
    m:forward(x)
    expect.eq(C.max_diff(s, m.randomSamples), 0, "fixed samples")
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialFractionalMaxPooling(2, 2, 3, 2):fixPoolingRegions(), T(2, 5, 6))
    -- clearState drops the samples, as Torch7's: the next forward draws new regions
    C.lifecycle(nn.SpatialFractionalMaxPooling(2, 2, 3, 3):fixPoolingRegions(), torch.randn(2, 7, 7),
      "nn.SpatialFractionalMaxPooling(3x3, 2,2)", true)
  end)
end)

describe("nn.SpatialLPPooling", function()
  it("is (Σ x^p)^(1/p) over each window", function()
    local m = nn.SpatialLPPooling(1, 2, 2, 2)
    local x = T { { { 3, 4, 1, 1 }, { 0, 0, 1, 1 } } }
    H.tensor(m:forward(x), { { { 5, 2 } } }, 1e-12)
    H.tensor(nn.SpatialLPPooling(1, 3, 2, 1):forward(T { { { 1, 2 } } }), { { { 9 ^ (1 / 3) } } }, 1e-12, "p = 3")
    expect.eq(#m.modules, 4, "Square, SpatialAveragePooling, MulConstant, Sqrt")
    expect.eq(#m:parameters(), 0, "no parameters")
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialLPPooling(2, 2, 2, 2), torch.rand(2, 4, 4):add(0.1))
    C.lifecycle(nn.SpatialLPPooling(2, 2, 2, 2), torch.rand(2, 4, 4):add(0.1))
  end)
end)

describe("nn.SpatialAdaptiveAveragePooling", function()
  it("averages the regions floor(i·in/out) .. ceil((i+1)·in/out)", function()
    local m = nn.SpatialAdaptiveAveragePooling(2, 1)
    H.tensor(m:forward(ramp(1, 3, 3)), { { { (1 + 2 + 4 + 5 + 7 + 8) / 6, (2 + 3 + 5 + 6 + 8 + 9) / 6 } } }, 1e-12)
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialAdaptiveAveragePooling(2, 3), T(2, 5, 4))
    C.lifecycle(nn.SpatialAdaptiveAveragePooling(2, 2), torch.randn(2, 2, 5, 5), "nn.SpatialAdaptiveAveragePooling")
  end)
end)

describe("nn.Spatial{Subtractive,Divisive,Contrastive}Normalization", function()
  it("subtractive: a constant image becomes zero, borders included", function()
    local m = nn.SpatialSubtractiveNormalization(2, torch.ones(3, 3))
    H.tensor(m:forward(torch.Tensor(2, 5, 5):fill(3)), torch.zeros(2, 5, 5), 1e-12)
    local m1 = nn.SpatialSubtractiveNormalization(2, torch.ones(3))
    H.tensor(m1:forward(torch.Tensor(2, 2, 5, 5):fill(-2)), torch.zeros(2, 2, 5, 5), 1e-12, "1-D kernel, batch")
  end)

  it("divisive: the interior of a constant image becomes one", function()
    local m = nn.SpatialDivisiveNormalization(2, torch.ones(3, 3))
    local y = m:forward(torch.Tensor(2, 5, 5):fill(3))
    H.tensor(y[{ {}, { 2, 4 }, { 2, 4 } }], torch.ones(2, 3, 3), 1e-12)
  end)

  it("normalizes the kernel in place, as Torch7", function()
    local k = torch.ones(3, 3)
    nn.SpatialSubtractiveNormalization(2, k)
    expect.near(k:sum(), 0.5, 1e-15, "sum 1/nInputPlane")
  end)

  it("pass the shared checks", function()
    local x = torch.rand(2, 4, 5)
    C.jacobian(nn.SpatialSubtractiveNormalization(2, torch.ones(3, 3)), x)
    C.jacobian(nn.SpatialDivisiveNormalization(2, torch.ones(3)), x)
    C.jacobian(nn.SpatialContrastiveNormalization(2, torch.ones(3, 3)), x)
    C.lifecycle(nn.SpatialSubtractiveNormalization(2, torch.ones(3, 3)), torch.rand(2, 2, 5, 5))
    C.lifecycle(nn.SpatialDivisiveNormalization(2, torch.ones(3)), torch.rand(2, 2, 5, 5))
    C.lifecycle(nn.SpatialContrastiveNormalization(2, torch.ones(3, 3)), torch.rand(2, 5, 5))
    expect.error(function() nn.SpatialSubtractiveNormalization(2, torch.ones(2, 2)) end, "ODD dimensions")
  end)
end)

describe("nn.SpatialCrossMapLRN", function()
  it("divides by (k + alpha/size · Σ x² over the neighbouring channels)^beta", function()
    local m = nn.SpatialCrossMapLRN(3, 0.3, 0.75, 2)
    local x = T { 1, 2, 3, 4 }:view(4, 1, 1)
    local y = m:forward(x)
    local function expected(c, lo, hi)
      local s = 0
      for j = lo, hi do s = s + j * j end
      return c / (2 + 0.1 * s) ^ 0.75
    end
    H.tensor(y:view(4), { expected(1, 1, 2), expected(2, 1, 3), expected(3, 2, 4), expected(4, 3, 4) }, 1e-12)
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.SpatialCrossMapLRN(3, 0.5, 0.75, 1), torch.rand(2, 5, 2, 2))
    C.lifecycle(nn.SpatialCrossMapLRN(5, 0.1, 0.75, 1), torch.rand(6, 3, 3), "nn.SpatialCrossMapLRN")
  end)
end)

describe("nn.SpatialUpSamplingBilinear and nn.UpSampling", function()
  it("interpolate with aligned corners; nearest repeats", function()
    local x = T { { { { 1, 2 }, { 3, 4 } } } }
    local y = nn.SpatialUpSamplingBilinear(2):forward(x)
    expect.eq(H.size(y), "1x1x4x4", "scale·size")
    H.tensor(y[1][1][1], { 1, 4 / 3, 5 / 3, 2 }, 1e-7, "first row (THNN's float coordinates)")
    H.tensor(y[1][1]:select(2, 1), { 1, 5 / 3, 7 / 3, 3 }, 1e-7, "first column")
    local n = nn.UpSampling(2):forward(x)
    H.tensor(n[1][1], { { 1, 1, 2, 2 }, { 1, 1, 2, 2 }, { 3, 3, 4, 4 }, { 3, 3, 4, 4 } }, 0, "nearest")
    local s = nn.SpatialUpSamplingBilinear({ oheight = 3, owidth = 3 }):forward(x[1])
    H.tensor(s[1], { { 1, 1.5, 2 }, { 2, 2.5, 3 }, { 3, 3.5, 4 } }, 1e-12, "to a size, unbatched")
  end)

  it("pass the shared checks", function()
    C.jacobian(nn.SpatialUpSamplingBilinear(2), T(2, 2, 3))
    C.jacobian(nn.UpSampling(2, "linear"), T(1, 2, 2, 3))
    C.jacobian(nn.UpSampling(2), T(1, 1, 2, 2, 2))
    C.jacobian(nn.UpSampling({ odepth = 3, oheight = 3, owidth = 2 }, "trilinear"), T(1, 1, 2, 2, 2))
    C.lifecycle(nn.SpatialUpSamplingBilinear(2), torch.randn(2, 3, 3), "nn.SpatialUpSamplingBilinear(2)")
    C.lifecycle(nn.UpSampling(3, "bilinear"), torch.randn(1, 2, 2, 2), "nn.UpSampling(3x, linear)")
    C.lifecycle(nn.UpSampling({ oheight = 3, owidth = 4 }, "linear"), torch.randn(1, 2, 2, 2), "nn.UpSampling(3x4, linear)")
    expect.error(function() nn.UpSampling({ oheight = 3, owidth = 4 }) end, "requires a scale_factor")
  end)
end)

describe("nn.FeatureLPPooling", function()
  it("pools across features", function()
    local m = nn.FeatureLPPooling(2, 2, 2, false)
    H.tensor(m:forward(T { 3, 4, 6, 8 }), { 5, 10 }, 1e-12)
    local b = nn.FeatureLPPooling(3, 1, 1, true)
    H.tensor(b:forward(T { { 1, 2, 3, 4 } }), { { 6, 9 } }, 1e-12, "batch, p = 1, overlapping")
  end)

  it("passes the shared checks", function()
    C.jacobian(nn.FeatureLPPooling(2, 1, 2, true), T(2, 4, 3))
    C.jacobian(nn.FeatureLPPooling(3, 2, 3, false), T(7, 2), 0.1, 2)
    C.lifecycle(nn.FeatureLPPooling(2, 2, 2, true), torch.rand(2, 6, 2):add(0.1))
  end)
end)
