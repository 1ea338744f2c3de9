-- The internal helpers the nn families share (nn.geometry, nn.parameters, nn.convolution,
-- nn.pooling, nn.nll, nn.sequence, nn.affine): hand-derived sizes, strings and values, and
-- that none of them became an nn class.
require "nn"
local G = require "nn.geometry"
local P = require "nn.parameters"
local Conv = require "nn.convolution"
local Pool = require "nn.pooling"
local NLL = require "nn.nll"
local Seq = require "nn.sequence"
local A = require "nn.affine"

describe("nn.geometry", function()
  it("computes Torch7's output size, rounding down", function()
    expect.eq(G.output_size(7, 3, 2, 1, 1), 4)   -- floor((7 + 2 - 3) / 2) + 1
    expect.eq(G.output_size(7, 3, 1, 0, 2), 3)   -- the dilated kernel spans 5
    expect.eq(G.output_size(2, 3, 1, 0, 1), 0)
  end)

  it("reads fields in ATen's order and prints them in Torch7's", function()
    local v = { kT = 1, kW = 2, kH = 3, dT = 1, dW = 1, dH = 1, padT = 0, padW = 0, padH = 0 }
    expect.same(G.aten(v, "k", G.VOLUMETRIC), { 1, 3, 2 })
    expect.same(G.aten(v, "dilation", G.VOLUMETRIC, 1), { 1, 1, 1 })
    expect.eq(G.sizes(v, "k", G.VOLUMETRIC), "1x2x3")
    expect.eq(G.steps(v, G.VOLUMETRIC), "")
    v.padH = 2
    expect.eq(G.steps(v, G.VOLUMETRIC), ", 1,1,1, 0,0,2")
    local s = { kW = 3, kH = 2, dW = 2, dH = 1, padW = 0, padH = 0 }
    expect.eq(G.steps(s, G.SPATIAL), ", 2,1")
    expect.eq(G.list(s, "k", G.SPATIAL), "3,2")
    expect.eq(G.nonzero({}, "adj", G.SPATIAL), "")
  end)

  it("rejects a size that is not an integer >= 1, naming the class and argument", function()
    expect.error(function() nn.SpatialConvolution(3, 4, 0, 2) end,
      "nn.SpatialConvolution: kW must be an integer >= 1, got 0")
    expect.error(function() nn.VolumetricFullConvolution(3, 4, 2, 2.5, 2) end,
      "nn.VolumetricFullConvolution: kW must be an integer >= 1, got 2.5")
    expect.error(function() nn.TemporalConvolution(3, nil, 2) end,
      "nn.TemporalConvolution: outputFrameSize must be an integer >= 1, got nil")
  end)
end)

describe("nn.parameters", function()
  it("draws weight and bias from U(-stdv·sqrt(3), stdv·sqrt(3)) and returns the module", function()
    local m = { weight = torch.Tensor(200), bias = torch.Tensor(50) }
    expect.eq(P.reset_uniform(m, 0.1, 1), m)
    local bound = 0.1 * math.sqrt(3)
    expect.truthy(m.weight:abs():max() <= bound and m.weight:abs():max() > bound / 2)
    expect.truthy(m.bias:abs():max() <= bound)
    m.bias = nil
    P.reset_uniform(m, nil, 4)   -- no bias: only the weight, within 1/sqrt(4)
    expect.truthy(m.weight:abs():max() <= 0.5)
  end)
end)

describe("nn.convolution", function()
  it("gives a transposed convolution the output padding that reaches the target's size", function()
    local m = nn.SpatialFullConvolution(1, 1, 3, 3, 2, 2, 1, 1)
    local x, target = torch.randn(1, 4, 4), torch.randn(1, 8, 8)
    local _, adj = Conv.target_adj(m, { x, target }, G.SPATIAL)
    expect.same(adj, { 1, 1 })            -- (8 + 2·1 − 3) mod 2
    expect.same(m:forward({ x, target }):size():totable(), { 1, 8, 8 })
    expect.same(select(2, Conv.target_adj(m, x, G.SPATIAL)), { 0, 0 })
  end)

  it("names the class and the plane counts when the input has the wrong planes", function()
    expect.error(function() nn.VolumetricConvolution(3, 2, 1, 1, 1):forward(torch.randn(2, 4, 4, 4)) end,
      "nn.VolumetricConvolution: input has 2 planes (size 2x4x4x4), expected 3")
    expect.error(function() nn.SpatialDepthWiseConvolution(2, 2, 1, 1):forward(torch.randn(3, 4, 4)) end,
      "nn.SpatialDepthWiseConvolution: size mismatch: input has 3 planes (size 3x4x4), expected 2")
  end)
end)

describe("nn.pooling", function()
  it("prints Torch7's window, stride and non-zero padding", function()
    expect.eq(Pool.describe(nn.SpatialMaxPooling(3, 2), G.SPATIAL), "nn.SpatialMaxPooling(3x2, 3,2")
    expect.eq(tostring(nn.VolumetricAveragePooling(1, 2, 3, 1, 1, 1, 0, 1, 0)),
      "nn.VolumetricAveragePooling(1x2x3, 1,1,1, 0,1,0)")
  end)

  it("hands each pooling the same switches, returning the module", function()
    for _, m in ipairs { nn.SpatialAveragePooling(2, 2), nn.VolumetricAveragePooling(2, 2, 2) } do
      expect.eq(m:ceil(), m)
      expect.eq(m.ceil_mode, true)
      expect.eq(m:floor().ceil_mode, false)
      expect.eq(m:setCountExcludePad().count_include_pad, false)
      expect.eq(m:setCountIncludePad().count_include_pad, true)
    end
  end)

  it("gives 1-based indices and a gradient routed by them", function()
    local m = nn.SpatialMaxPooling(2, 2)
    local x = torch.Tensor({ { { 1, 5, 2, 0 }, { 3, 4, 9, 1 } } })
    expect.same(m:forward(x):totable(), { { { 5, 9 } } })
    expect.same(m.indices:totable(), { { { 2, 7 } } })  -- y·iwidth + x + 1
    local g = m:backward(x, torch.Tensor({ { { 10, 20 } } }))
    expect.same(g:totable(), { { { 0, 10, 0, 0 }, { 0, 0, 20, 0 } } })
    m:clearState()
    expect.eq(m.indices:nElement(), 0)
  end)
end)

describe("nn.nll", function()
  local logp = torch.Tensor({ { -1, -2 }, { -3, -0.5 } })

  it("weights each -x[target] and divides by the counted targets' total weight", function()
    local c = nn.ClassNLLCriterion(torch.Tensor({ 1, 3 }))
    local loss, total = c:forward(logp, torch.LongTensor({ 2, 1 }))
    expect.eq(total, 4)
    expect.eq(loss, 2.25)                         -- (3·2 + 1·3) / 4
    expect.same(c:backward(logp, torch.LongTensor({ 2, 1 })):totable(), { { 0, -0.75 }, { -0.25, 0 } })
    expect.eq(c:__len(), 2)                       -- LuaJIT calls no __len for tables
    c = nn.ClassNLLCriterion(torch.Tensor({ 1, 3 }), true, 1)
    expect.eq(c:forward(logp, torch.LongTensor({ 2, 1 })), 2)   -- the ignored target drops out
  end)

  it("gives the spatial criterion the same numbers per pixel", function()
    local c = nn.SpatialClassNLLCriterion(torch.Tensor({ 1, 3 }), false)
    local x = logp:t():reshape(1, 2, 1, 2)        -- the two samples as two pixels
    expect.eq(c:forward(x, torch.LongTensor({ { { 2, 1 } } })), 9)
  end)

  it("names the first target out of range", function()
    expect.error(function() NLL.check_targets("nn.X", torch.LongTensor({ 1, -100, 4 }), 3, -100) end,
      "nn.X: target 4 is out of range [1, 3]")
    NLL.check_targets("nn.X", torch.LongTensor({ 1, -100, 3 }), 3, -100)
  end)
end)

describe("nn.sequence", function()
  it("views frames×features as 1×features×frames and back", function()
    local t = torch.range(1, 6):view(3, 2)        -- 3 frames of 2 features
    local x, unbatched = Seq.channels_first(t)
    expect.eq(unbatched, true)
    expect.same(x:totable(), { { { 1, 3, 5 }, { 2, 4, 6 } } })
    expect.same(Seq.layout_back(x, unbatched):totable(), t:totable())
    local y = Seq.channels_first(t:view(1, 3, 2):transpose(2, 3), true)
    expect.same(y:size():totable(), { 1, 2, 3 })
  end)

  it("names the class when the input is neither 2-D nor 3-D", function()
    expect.error(function() nn.TemporalSubSampling(4, 2):forward(torch.randn(4)) end,
      "nn.TemporalSubSampling: 2D or 3D (batch mode) tensor expected for input, but got a 1D tensor")
  end)
end)

describe("nn.affine", function()
  it("accumulates scale · gradOutput ⊗ input, summed over a batch, into the weight given", function()
    local m = nn.Linear(2, 1)
    local gradV = torch.zeros(1, 2)
    m.gradBias:zero()
    A.accumulate(m, gradV, torch.Tensor({ 1, 2 }), torch.Tensor({ 3 }), 0.5)
    expect.same(gradV:totable(), { { 1.5, 3 } })
    expect.same(m.gradBias:totable(), { 1.5 })
    A.accumulate(m, gradV, torch.Tensor({ { 1, 0 }, { 0, 1 } }), torch.Tensor({ { 2 }, { 4 } }), 1)
    expect.same(gradV:totable(), { { 3.5, 7 } })
    expect.same(m.gradBias:totable(), { 7.5 })
  end)
end)

describe("the shared helpers", function()
  it("are not nn classes", function()
    for _, name in ipairs { "geometry", "parameters", "convolution", "pooling", "nll", "sequence", "affine", "kernels" } do
      expect.eq(rawget(nn, name), nil, name)
      expect.eq(torch.getmetatable("nn." .. name), nil, name)
    end
  end)
end)
