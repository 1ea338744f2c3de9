-- Convolutions: SpatialConvolution, SpatialConvolutionMM, SpatialDilatedConvolution,
-- SpatialFullConvolution, TemporalConvolution, VolumetricConvolution. Values against
-- hand-derived examples and a direct loop reference (Torch7's definition written out),
-- Torch7's reset draws, nn.Jacobian checks (< 1e-5, Double), gradient accumulation, and the
-- manifest convnet from real Torch7 (tests/fixtures/nn_convnet_manifest.lua).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
local manifest = dofile(here .. "tests/fixtures/nn_convnet_manifest.lua")

local T = torch.Tensor
local J = nn.Jacobian
local TOL = 1e-5

local function jacobian(m, x)
  local err = J.testJacobian(m, x)
  expect.truthy(err < TOL, tostring(m) .. " Jacobian error " .. err)
  if m.weight then
    err = J.testJacobianParameters(m, x, m.weight, m.gradWeight)
    expect.truthy(err < TOL, tostring(m) .. " weight Jacobian error " .. err)
  end
  if m.bias then
    err = J.testJacobianParameters(m, x, m.bias, m.gradBias)
    expect.truthy(err < TOL, tostring(m) .. " bias Jacobian error " .. err)
  end
end

-- Torch7's 2-D cross-correlation written as loops over plain tables: w is nOut×nIn×kH×kW,
-- x is nIn×iH×iW; out[o][y][x] = b[o] + sum w[o][c][i][j]·x[c][y·dH − padH + i·dilH][..]
local function ref_conv2d(x, w, b, dW, dH, padW, padH, dilW, dilH)
  dilW, dilH = dilW or 1, dilH or 1
  local X, W = x:totable(), w:totable()
  local nOut, nIn, kH, kW = w:size(1), w:size(2), w:size(3), w:size(4)
  local iH, iW = x:size(2), x:size(3)
  local oH = math.floor((iH + 2 * padH - dilH * (kH - 1) - 1) / dH) + 1
  local oW = math.floor((iW + 2 * padW - dilW * (kW - 1) - 1) / dW) + 1
  local out = T(nOut, oH, oW)
  for o = 1, nOut do
    for y = 1, oH do
      for xx = 1, oW do
        local s = b and b[o] or 0
        for c = 1, nIn do
          for i = 1, kH do
            for j = 1, kW do
              local yy = (y - 1) * dH - padH + (i - 1) * dilH + 1
              local xi = (xx - 1) * dW - padW + (j - 1) * dilW + 1
              if yy >= 1 and yy <= iH and xi >= 1 and xi <= iW then
                s = s + W[o][c][i][j] * X[c][yy][xi]
              end
            end
          end
        end
        out[o][y][xx] = s
      end
    end
  end
  return out
end

-- the transposed convolution: each input pixel scatters w[c][o]·x into the output
local function ref_fullconv2d(x, w, b, dW, dH, padW, padH, adjW, adjH)
  local X, W = x:totable(), w:totable()
  local nIn, nOut, kH, kW = w:size(1), w:size(2), w:size(3), w:size(4)
  local iH, iW = x:size(2), x:size(3)
  local oH = (iH - 1) * dH - 2 * padH + kH + adjH
  local oW = (iW - 1) * dW - 2 * padW + kW + adjW
  local out = T(nOut, oH, oW):zero()
  for o = 1, nOut do out[o]:fill(b and b[o] or 0) end
  for c = 1, nIn do
    for y = 1, iH do
      for xx = 1, iW do
        for o = 1, nOut do
          for i = 1, kH do
            for j = 1, kW do
              local yy = (y - 1) * dH - padH + i
              local xi = (xx - 1) * dW - padW + j
              if yy >= 1 and yy <= oH and xi >= 1 and xi <= oW then
                out[o][yy][xi] = out[o][yy][xi] + W[c][o][i][j] * X[c][y][xx]
              end
            end
          end
        end
      end
    end
  end
  return out
end

local function seeded(seed, fn)
  torch.manualSeed(seed)
  return fn()
end

describe("nn.SpatialConvolution", function()
  it("keeps Torch7's fields and defaults", function()
    local m = nn.SpatialConvolution(3, 4, 5, 2)
    expect.eq(m.nInputPlane, 3); expect.eq(m.nOutputPlane, 4)
    expect.eq(m.kW, 5); expect.eq(m.kH, 2)
    expect.eq(m.dW, 1); expect.eq(m.dH, 1)
    expect.eq(m.padW, 0); expect.eq(m.padH, 0)
    expect.eq(H.size(m.weight), "4x3x2x5"); expect.eq(H.size(m.gradWeight), "4x3x2x5")
    expect.eq(H.size(m.bias), "4"); expect.eq(H.size(m.gradBias), "4")
    local p = nn.SpatialConvolution(1, 1, 3, 3, 2, 1, 2)
    expect.eq(p.padW, 2); expect.eq(p.padH, 2, "padH defaults to padW")
  end)

  it("prints as Torch7 does", function()
    expect.eq(tostring(nn.SpatialConvolution(1, 2, 3, 3)), "nn.SpatialConvolution(1 -> 2, 3x3)")
    expect.eq(tostring(nn.SpatialConvolution(3, 8, 5, 4, 2, 1)), "nn.SpatialConvolution(3 -> 8, 5x4, 2,1)")
    expect.eq(tostring(nn.SpatialConvolution(3, 8, 3, 3, 1, 1, 1, 1)),
      "nn.SpatialConvolution(3 -> 8, 3x3, 1,1, 1,1)")
    expect.eq(tostring(nn.SpatialConvolution(3, 8, 3, 3, 2, 2, 1, 0)),
      "nn.SpatialConvolution(3 -> 8, 3x3, 2,2, 1,0)")
    expect.eq(tostring(nn.SpatialConvolution(1, 2, 3, 3):noBias()),
      "nn.SpatialConvolution(1 -> 2, 3x3) without bias")
  end)

  it("draws weight then bias from U(-stdv, stdv), stdv = 1/sqrt(kW*kH*nInputPlane)", function()
    local m = seeded(42, function() return nn.SpatialConvolution(2, 3, 3, 2) end)
    local stdv = 1 / math.sqrt(3 * 2 * 2)
    torch.manualSeed(42)
    local w = T(3, 2, 2, 3):uniform(-stdv, stdv)
    local b = T(3):uniform(-stdv, stdv)
    H.tensor(m.weight, w, 0, "weight")
    H.tensor(m.bias, b, 0, "bias")
    m:reset(0.5)
    expect.truthy(m.weight:max() <= 0.5 * math.sqrt(3) and m.weight:min() >= -0.5 * math.sqrt(3),
      "reset(stdv) draws from U(-stdv*sqrt(3), stdv*sqrt(3))")
  end)

  it("computes a hand-derived 2x2 box filter", function()
    local m = nn.SpatialConvolution(1, 1, 2, 2)
    m.weight:fill(1); m.bias:fill(0.5)
    local x = T { { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } } }
    H.tensor(m:forward(x), { { { 12.5, 16.5 }, { 24.5, 28.5 } } }, 0, "output")
    -- every input pixel collects the gradient of each window it is in
    H.tensor(m:backward(x, T(1, 2, 2):fill(1)), { { { 1, 2, 1 }, { 2, 4, 2 }, { 1, 2, 1 } } }, 0,
      "gradInput")
    H.tensor(m.gradWeight, { { { { 12, 16 }, { 24, 28 } } } }, 0, "gradWeight")
    H.tensor(m.gradBias, { 4 }, 0, "gradBias")
  end)

  it("matches the loop reference with strides, padding and kW ~= kH, batched or not", function()
    torch.manualSeed(3)
    local m = nn.SpatialConvolution(2, 3, 3, 2, 2, 1, 1, 2)
    local x = T(2, 2, 7, 6):uniform(-1, 1)
    local out = m:forward(x)
    expect.eq(H.size(out), "2x3x10x3", "output size (7+4-2)/1+1 x (6+2-3)/2+1")
    for n = 1, 2 do
      H.tensor(out[n], ref_conv2d(x[n], m.weight, m.bias, 2, 1, 1, 2), 1e-12, "sample " .. n)
    end
    local single = m:forward(x[2]):clone()
    expect.eq(H.size(single), "3x10x3", "a C×H×W input gives a C×H×W output")
    H.tensor(single, ref_conv2d(x[2], m.weight, m.bias, 2, 1, 1, 2), 1e-12, "unbatched")
  end)

  it("passes the Jacobian checks, batched and unbatched, with and without bias", function()
    jacobian(nn.SpatialConvolution(2, 3, 3, 2, 2, 1, 1, 0), T(2, 6, 5))
    jacobian(nn.SpatialConvolution(2, 3, 2, 3, 1, 2, 0, 1), T(2, 2, 5, 6))
    jacobian(nn.SpatialConvolution(2, 2, 3, 3):noBias(), T(2, 2, 5, 5))
  end)

  it("accumulates scale * gradient into gradWeight and gradBias", function()
    local m = nn.SpatialConvolution(2, 2, 2, 2)
    local x, go = T(2, 4, 4):uniform(), T(2, 3, 3):uniform()
    m:zeroGradParameters()
    m:forward(x); m:backward(x, go)
    local gw, gb = m.gradWeight:clone(), m.gradBias:clone()
    m:backward(x, go, 0.5)
    H.tensor(m.gradWeight, gw * 1.5, 1e-12, "gradWeight after a second backward(scale 0.5)")
    H.tensor(m.gradBias, gb * 1.5, 1e-12, "gradBias")
    m:zeroGradParameters()
    m:updateGradInput(x, go)
    expect.eq(m.gradWeight:norm(), 0, "updateGradInput leaves gradWeight alone")
    m:accGradParameters(x, go, 2)
    H.tensor(m.gradWeight, gw * 2, 1e-12, "accGradParameters(scale 2)")
  end)

  it("keeps its output tensor and works in Float", function()
    local m = nn.SpatialConvolution(1, 2, 3, 3)
    local out = m.output
    m:forward(T(1, 5, 5):uniform())
    expect.truthy(m.output == out, "output is the same tensor object")
    m:float()
    local y = m:forward(torch.FloatTensor(1, 5, 5):uniform())
    expect.eq(torch.type(y), "torch.FloatTensor")
    expect.eq(H.size(y), "2x3x3")
  end)

  it("rejects wrong inputs with clear messages", function()
    local m = nn.SpatialConvolution(3, 2, 3, 3)
    expect.error(function() m:forward(T(2, 5, 5)) end, "input has 2 planes")
    expect.error(function() m:forward(T(3, 2, 5)) end, "too small")
    expect.error(function() m:forward(T(5, 5)) end, "3D or 4D (batch mode) tensor expected")
    expect.error(function() m:forward(torch.FloatTensor(3, 5, 5)) end, "torch.FloatTensor")
    expect.error(function() nn.SpatialConvolution(3, 2, 0, 3) end, "kW must be an integer >= 1")
  end)

  it("reads a legacy 2-D weight through a view", function()
    local m = nn.SpatialConvolution(2, 3, 2, 2)
    local w4 = m.weight:clone()
    local x = T(2, 4, 4):uniform()
    local y = m:forward(x):clone()
    m.weight = w4:view(3, 8)
    m.gradWeight = m.gradWeight:view(3, 8)
    H.tensor(m:forward(x), y, 1e-14, "same output")
    m:zeroGradParameters()
    m:backward(x, y)
    expect.eq(H.size(m.gradWeight), "3x8", "gradWeight keeps its layout")
  end)
end)

describe("nn.SpatialConvolutionMM", function()
  it("holds a 2-D weight and computes what SpatialConvolution does", function()
    local mm = seeded(9, function() return nn.SpatialConvolutionMM(2, 3, 3, 2, 1, 2, 1) end)
    local sc = seeded(9, function() return nn.SpatialConvolution(2, 3, 3, 2, 1, 2, 1) end)
    expect.eq(H.size(mm.weight), "3x12"); expect.eq(H.size(mm.gradWeight), "3x12")
    H.tensor(mm.weight:view(3, 2, 2, 3), sc.weight, 0, "same draws, same order")
    local x = T(2, 2, 6, 5):uniform(-1, 1)
    H.tensor(mm:forward(x), sc:forward(x), 1e-14, "output")
    expect.eq(tostring(mm), "nn.SpatialConvolutionMM(2 -> 3, 3x2, 1,2, 1,1)")
    jacobian(mm, T(2, 5, 6))
  end)
end)

describe("nn.SpatialDilatedConvolution", function()
  it("spaces the kernel taps by the dilation", function()
    local m = nn.SpatialDilatedConvolution(2, 3, 3, 2, 2, 1, 1, 2, 2, 3)
    expect.eq(m.dilationW, 2); expect.eq(m.dilationH, 3)
    expect.eq(tostring(m), "nn.SpatialDilatedConvolution(2 -> 3, 3x2, 2,1, 1,2, 2,3)")
    expect.eq(tostring(nn.SpatialDilatedConvolution(1, 1, 3, 3)),
      "nn.SpatialDilatedConvolution(1 -> 1, 3x3, 1,1)")
    local x = T(2, 9, 8):uniform(-1, 1)
    local out = m:forward(x)
    expect.eq(H.size(out), "3x10x3", "(9+4-3*1-1)/1+1 x (8+2-2*2-1)/2+1")
    H.tensor(out, ref_conv2d(x, m.weight, m.bias, 2, 1, 1, 2, 2, 3), 1e-12, "output")
    jacobian(nn.SpatialDilatedConvolution(2, 2, 2, 2, 1, 1, 1, 1, 2, 2), T(2, 2, 5, 5))
  end)
end)

describe("nn.SpatialFullConvolution", function()
  it("keeps Torch7's layout, defaults and printing", function()
    local m = nn.SpatialFullConvolution(2, 3, 4, 5)
    expect.eq(H.size(m.weight), "2x3x5x4", "nInputPlane x nOutputPlane x kH x kW")
    expect.eq(m.padW, 0); expect.eq(m.padH, 0); expect.eq(m.adjW, 0); expect.eq(m.adjH, 0)
    expect.eq(tostring(m), "nn.SpatialFullConvolution(2 -> 3, 4x5)")
    expect.eq(tostring(nn.SpatialFullConvolution(2, 3, 3, 3, 2, 2, 1, 1, 1, 1)),
      "nn.SpatialFullConvolution(2 -> 3, 3x3, 2,2, 1,1, 1,1)")
    expect.error(function() nn.SpatialFullConvolution(2, 3, 3, 3, 1, 1, 0, 0, 1, 0) end,
      "adjW and adjH must be smaller")
    local stdv = 1 / math.sqrt(4 * 5 * 2)
    local s = seeded(4, function() return nn.SpatialFullConvolution(2, 3, 4, 5) end)
    torch.manualSeed(4)
    H.tensor(s.weight, T(2, 3, 5, 4):uniform(-stdv, stdv), 0, "weight draws")
    H.tensor(s.bias, T(3):uniform(-stdv, stdv), 0, "bias draws")
  end)

  it("spreads each pixel over a kernel-sized block (hand-derived)", function()
    local m = nn.SpatialFullConvolution(1, 1, 2, 2, 2, 2)
    m.weight:fill(1); m.bias:zero()
    local y = m:forward(T { { { 1, 2 }, { 3, 4 } } })
    H.tensor(y, { { { 1, 1, 2, 2 }, { 1, 1, 2, 2 }, { 3, 3, 4, 4 }, { 3, 3, 4, 4 } } }, 0, "output")
  end)

  it("matches the loop reference with padding and adj", function()
    torch.manualSeed(5)
    local m = nn.SpatialFullConvolution(2, 3, 3, 2, 2, 3, 1, 0, 1, 2)
    local x = T(2, 2, 4, 3):uniform(-1, 1)
    local out = m:forward(x)
    expect.eq(H.size(out), "2x3x13x6", "(4-1)*3+2+2 x (3-1)*2-2+3+1")
    for n = 1, 2 do
      H.tensor(out[n], ref_fullconv2d(x[n], m.weight, m.bias, 2, 3, 1, 0, 1, 2), 1e-12, "sample " .. n)
    end
    jacobian(nn.SpatialFullConvolution(2, 3, 3, 2, 2, 2, 1, 0, 1, 1), T(2, 4, 3))
    jacobian(nn.SpatialFullConvolution(2, 2, 3, 3, 2, 1, 1, 1, 1, 0):noBias(), T(2, 2, 3, 3))
  end)

  it("takes {input, target} and sizes the output like the target", function()
    local m = nn.SpatialFullConvolution(1, 2, 3, 3, 2, 2, 1, 1)
    local x, target = T(1, 4, 4):uniform(), T(2, 8, 8)
    expect.eq(H.size(m:forward(x)), "2x7x7", "adj 0")
    local y = m:forward({ x, target })
    expect.eq(H.size(y), "2x8x8", "adj from the target")
    local gi = m:backward({ x, target }, T(2, 8, 8):uniform())
    expect.eq(type(gi), "table")
    expect.eq(H.size(gi[1]), "1x4x4")
    expect.eq(H.size(gi[2]), "2x8x8")
    expect.eq(gi[2]:clone():abs():max(), 0, "the target gets a zero gradient")
  end)
end)

describe("nn.TemporalConvolution", function()
  -- out[t][o] = b[o] + sum_k sum_i w[o][(k-1)*in + i] * x[(t-1)*dW + k][i]
  local function ref_temporal(x, w, b, kW, dW)
    local X, W = x:totable(), w:totable()
    local nIn, nOut = x:size(2), w:size(1)
    local nT = math.floor((x:size(1) - kW) / dW) + 1
    local out = T(nT, nOut)
    for t = 1, nT do
      for o = 1, nOut do
        local s = b[o]
        for k = 1, kW do
          for i = 1, nIn do s = s + W[o][(k - 1) * nIn + i] * X[(t - 1) * dW + k][i] end
        end
        out[t][o] = s
      end
    end
    return out
  end

  it("keeps Torch7's weight layout and draws", function()
    local m = seeded(8, function() return nn.TemporalConvolution(3, 4, 2) end)
    expect.eq(H.size(m.weight), "4x6"); expect.eq(m.dW, 1)
    expect.eq(m.inputFrameSize, 3); expect.eq(m.outputFrameSize, 4)
    local stdv = 1 / math.sqrt(2 * 3)
    torch.manualSeed(8)
    H.tensor(m.weight, T(4, 6):uniform(-stdv, stdv), 0, "weight")
    H.tensor(m.bias, T(4):uniform(-stdv, stdv), 0, "bias")
    expect.eq(tostring(m), "nn.TemporalConvolution")
  end)

  it("matches the loop reference, one sequence or a batch", function()
    torch.manualSeed(6)
    local m = nn.TemporalConvolution(3, 4, 3, 2)
    local x = T(2, 9, 3):uniform(-1, 1)
    local out = m:forward(x)
    expect.eq(H.size(out), "2x4x4", "(9-3)/2+1 frames")
    expect.truthy(out:isContiguous(), "contiguous output")
    for n = 1, 2 do H.tensor(out[n], ref_temporal(x[n], m.weight, m.bias, 3, 2), 1e-12, "sample " .. n) end
    H.tensor(m:forward(x[1]), ref_temporal(x[1], m.weight, m.bias, 3, 2), 1e-12, "unbatched")
    jacobian(nn.TemporalConvolution(3, 4, 2, 2), T(7, 3))
    jacobian(nn.TemporalConvolution(2, 3, 3, 1), T(2, 5, 2))
    expect.error(function() m:forward(T(9, 2)) end, "invalid input frame size")
    expect.error(function() m:forward(T(2, 3)) end, "smaller than the kernel size")
  end)
end)

describe("nn.VolumetricConvolution", function()
  it("keeps Torch7's fields and printing", function()
    local m = nn.VolumetricConvolution(2, 3, 2, 3, 4)
    expect.eq(H.size(m.weight), "3x2x2x4x3", "nOut x nIn x kT x kH x kW")
    expect.eq(m.padT, 0); expect.eq(m.padW, 0); expect.eq(m.padH, 0)
    expect.eq(tostring(m), "nn.VolumetricConvolution(2 -> 3, 2x3x4)")
    local p = nn.VolumetricConvolution(2, 3, 3, 3, 3, 1, 2, 2, 1)
    expect.eq(p.padW, 1, "padW defaults to padT"); expect.eq(p.padH, 1, "padH defaults to padW")
    expect.eq(tostring(p), "nn.VolumetricConvolution(2 -> 3, 3x3x3, 1,2,2, 1,1,1)")
  end)

  it("sums over time as a stack of 2-D convolutions (hand-derived from the 2-D reference)", function()
    torch.manualSeed(10)
    local m = nn.VolumetricConvolution(2, 3, 2, 3, 2, 1, 2, 1, 0, 1, 0)
    local x = T(2, 4, 5, 6):uniform(-1, 1)
    local out = m:forward(x)
    expect.eq(H.size(out), "3x3x4x3", "(4-2)/1+1, (5-2)/1+1, floor((6+2-3)/2)+1")
    for t = 1, 3 do
      local s = ref_conv2d(x:select(2, t), m.weight:select(3, 1), m.bias, 2, 1, 1, 0)
      s:add(ref_conv2d(x:select(2, t + 1), m.weight:select(3, 2), nil, 2, 1, 1, 0))
      H.tensor(out:select(2, t), s, 1e-12, "time " .. t)
    end
    jacobian(nn.VolumetricConvolution(2, 2, 2, 2, 2, 1, 1, 2, 1, 0, 1), T(2, 3, 4, 4))
    jacobian(nn.VolumetricConvolution(1, 2, 2, 2, 2), T(2, 1, 3, 3, 3))
  end)
end)

describe("the Torch7 convnet", function()
  local function fixture(entry)
    return T(entry.data):view(torch.LongStorage(entry.size))
  end
  local function same(actual, entry, what)
    local ref = fixture(entry)
    expect.eq(H.size(actual), H.size(ref), what .. " size")
    local a, e = H.flat(actual), H.flat(ref)
    for i = 1, #e do
      expect.truthy(math.abs(a[i] - e[i]) <= 1e-6 * math.max(math.abs(e[i]), 1e-6),
        string.format("%s element %d: %.17g vs Torch7 %.17g", what, i, a[i], e[i]))
    end
  end

  local function build()
    torch.manualSeed(manifest.seed)
    return nn.Sequential():add(nn.SpatialConvolution(1, 2, 3, 3)):add(nn.ReLU())
      :add(nn.SpatialMaxPooling(2, 2, 2, 2)):add(nn.View(8)):add(nn.Linear(8, 3))
  end

  it("draws Torch7's parameters bit for bit after manualSeed(123)", function()
    local params = build():parameters()
    expect.eq(#params, #manifest.parameters)
    for i, p in ipairs(params) do
      local e = manifest.parameters[i]
      expect.eq(H.size(p), table.concat(e.size, "x"), manifest.parameter_names[i])
      local a = H.flat(p)
      for k = 1, #e.data do expect.eq(a[k], e.data[k], manifest.parameter_names[i] .. " " .. k) end
    end
  end)

  it("reproduces Torch7's forward and backward", function()
    local net = build()
    local input, batch = fixture(manifest.input), fixture(manifest.batch_input)
    same(net:forward(batch), manifest.batch_output, "batch output")
    same(net:forward(input), manifest.output, "output")
    for i, entry in ipairs(manifest.module_outputs) do
      same(net.modules[i].output, entry, "module " .. i .. " output")
    end
    net:zeroGradParameters()
    same(net:backward(input, fixture(manifest.gradOutput)), manifest.gradInput, "gradInput")
    local _, grads = net:parameters()
    for i, entry in ipairs(manifest.gradParameters) do
      same(grads[i], entry, "gradient of " .. manifest.parameter_names[i])
    end
    expect.eq(tostring(net.modules[3]), "nn.SpatialMaxPooling(2x2, 2,2)")
  end)
end)
