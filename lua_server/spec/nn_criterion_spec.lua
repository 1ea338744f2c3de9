-- Criterions: Abs, SmoothL1, ClassNLL, CrossEntropy, BCE, DistKLDiv, Margin, MultiMargin,
-- MultiLabelMargin, HingeEmbedding, CosineEmbedding, MarginRanking, SpatialClassNLL,
-- ParallelCriterion, MultiCriterion. Hand-derived losses and gradients (Torch7's
-- sizeAverage defaults and scaling), and finite-difference gradient checks (< 1e-5).
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local L = torch.LongTensor
local TOL = 1e-5
local SQRT1_2 = math.sqrt(0.5)

local function gradcheck(crit, input, target)
  local err = H.criterionError(crit, input, target)
  expect.truthy(err < TOL, torch.type(crit) .. " gradient error " .. err)
end

describe("regression criterions", function()
  it("nn.AbsCriterion", function()
    local c = nn.AbsCriterion()
    local x, y = T { 1, 2, 3 }, T { 2, 2, 1 }
    expect.near(c:forward(x, y), 1, 1e-15, "mean |x - y|")
    H.tensor(c:backward(x, y), { -1 / 3, 1 / 3, 1 / 3 }, 1e-15, "sign / n, +1 at x = y")
    local s = nn.AbsCriterion(false)
    expect.near(s:forward(x, y), 3, 0, "sum")
    H.tensor(s:backward(x, y), { -1, 1, 1 }, 0, "unscaled")
    expect.near(c:forward(T { { 1, 2, 3 } }, y), 1, 1e-15, "shapes may differ with equal counts")
    expect.error(function() c:forward(T { 1, 2 }, y) end, "input and target size mismatch")
    gradcheck(c, torch.randn(3, 4), torch.randn(3, 4))
  end)

  it("nn.SmoothL1Criterion", function()
    local c = nn.SmoothL1Criterion()
    local x, y = T { 0, 2, 0.5 }, T { 0.5, 0, 0 }
    expect.near(c:forward(x, y), 1.75 / 3, 1e-15, "0.125 + 1.5 + 0.125, averaged")
    H.tensor(c:backward(x, y), { -0.5 / 3, 1 / 3, 0.5 / 3 }, 1e-15, "clipped difference / n")
    local s = nn.SmoothL1Criterion(false)
    expect.near(s:forward(x, y), 1.75, 1e-15, "sum")
    H.tensor(s:backward(x, y), { -0.5, 1, 0.5 }, 1e-15, "unscaled")
    gradcheck(c, torch.randn(3, 4), torch.randn(3, 4))
  end)

  it("nn.DistKLDivCriterion", function()
    local c = nn.DistKLDivCriterion()
    local x, y = T { math.log(0.25), math.log(0.75) }, T { 0.5, 0.5 }
    local kl = 0.5 * (math.log(0.5) - math.log(0.25)) + 0.5 * (math.log(0.5) - math.log(0.75))
    expect.near(c:forward(x, y), kl / 2, 1e-15, "mean of y (log y - x)")
    H.tensor(c:backward(x, y), { -0.25, -0.25 }, 1e-15, "-y / n")
    local z = T { 0, 1 }
    expect.near(nn.DistKLDivCriterion(false):forward(x, z), -math.log(0.75), 1e-15, "y = 0 terms count 0")
    H.tensor(nn.DistKLDivCriterion(false):backward(x, z), { 0, -1 }, 0, "and have no gradient")
    gradcheck(c, torch.randn(3, 4), torch.rand(3, 4))
  end)
end)

describe("classification criterions", function()
  local logp = function() return T { { -1, -2, -3 }, { -0.5, -1.5, -2.5 } } end

  it("nn.ClassNLLCriterion with 1-based targets", function()
    local c = nn.ClassNLLCriterion()
    local loss, total = c:forward(logp(), L { 3, 1 })
    expect.near(loss, 1.75, 1e-15, "(3 + 0.5) / 2")
    expect.eq(total, 2, "total weight is returned too")
    expect.eq(c.output, loss, "output")
    H.tensor(c:backward(logp(), L { 3, 1 }), { { 0, 0, -0.5 }, { -0.5, 0, 0 } }, 0, "gradInput")
    expect.near(c:forward(T { -1, -2, -3 }, 2), 2, 0, "1-D input, number target")
    H.tensor(c:backward(T { -1, -2, -3 }, 2), { 0, -1, 0 }, 0, "1-D gradInput")
    expect.near(c:forward(logp(), T { 3, 1 }), 1.75, 1e-15, "Double targets are converted")
    local s = nn.ClassNLLCriterion(nil, false)
    expect.near(s:forward(logp(), L { 3, 1 }), 3.5, 1e-15, "sum")
    H.tensor(s:backward(logp(), L { 3, 1 }), { { 0, 0, -1 }, { -1, 0, 0 } }, 0, "unscaled")
    expect.error(function() c:forward(logp(), L { 4, 1 }) end, "nn.ClassNLLCriterion: target 4 is out of range [1, 3]")
    expect.error(function() c:forward(logp(), L { 1, 0 }) end, "target 0 is out of range [1, 3]")
  end)

  it("nn.ClassNLLCriterion weights and ignoreIndex", function()
    local w = nn.ClassNLLCriterion(T { 1, 2, 3 })
    expect.near(w:forward(logp(), L { 3, 1 }), 9.5 / 4, 1e-15, "divided by the total weight 3 + 1")
    H.tensor(w:backward(logp(), L { 3, 1 }), { { 0, 0, -0.75 }, { -0.25, 0, 0 } }, 1e-15, "-w / total")
    expect.eq(w:__len(), 3, "__len is the weight count")
    local ig = nn.ClassNLLCriterion(nil, true, 1)
    expect.eq(ig.ignoreIndex, 1, "field")
    expect.near(ig:forward(logp(), L { 3, 1 }), 3, 0, "target 1 ignored")
    H.tensor(ig:backward(logp(), L { 3, 1 }), { { 0, 0, -1 }, { 0, 0, 0 } }, 0, "no gradient there")
    expect.eq(nn.ClassNLLCriterion().ignoreIndex, -100, "default")
    expect.near(ig:forward(logp(), L { 1, 1 }), 0, 0, "everything ignored: 0")
    gradcheck(w, torch.randn(4, 3), L { 1, 2, 3, 2 })
  end)

  it("nn.CrossEntropyCriterion is LogSoftMax + ClassNLL", function()
    local lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    local sm = { math.exp(1 - lse), math.exp(2 - lse), math.exp(3 - lse) }
    local c = nn.CrossEntropyCriterion()
    expect.near(c:forward(T { { 1, 2, 3 } }, L { 3 }), lse - 3, 1e-15, "one sample")
    H.tensor(c:backward(T { { 1, 2, 3 } }, L { 3 }), { { sm[1], sm[2], sm[3] - 1 } }, 1e-15,
      "softmax - onehot, in the input's shape")
    expect.near(c:forward(T { 1, 2, 3 }, 1), lse - 1, 1e-15, "1-D input, number target")
    local b = nn.CrossEntropyCriterion()
    expect.near(b:forward(T { { 1, 2, 3 }, { 1, 2, 3 } }, L { 3, 1 }), ((lse - 3) + (lse - 1)) / 2, 1e-15, "batch mean")
    b.sizeAverage = false
    expect.near(b:forward(T { { 1, 2, 3 }, { 1, 2, 3 } }, L { 3, 1 }), (lse - 3) + (lse - 1), 1e-14,
      "sizeAverage reaches the inner criterion")
    gradcheck(nn.CrossEntropyCriterion(T { 1, 0.5, 2 }), torch.randn(4, 3), L { 1, 2, 3, 3 })
  end)

  it("nn.BCECriterion", function()
    local c = nn.BCECriterion()
    local x, y = T { 0.5, 0.9 }, T { 1, 0 }
    expect.near(c:forward(x, y), (math.log(2) + math.log(10)) / 2, 1e-12, "mean of -log terms")
    H.tensor(c:backward(x, y), { -1, 5 }, 1e-10, "(x - y) / (x (1 - x)) / n")
    local w = nn.BCECriterion(T { 2, 1 })
    expect.near(w:forward(x, y), (2 * math.log(2) + math.log(10)) / 2, 1e-12, "weighted")
    local w2 = nn.BCECriterion(T { 2, 1 }, false)
    expect.near(w2:forward(T { { 0.5, 0.9 }, { 0.5, 0.9 } }, T { { 1, 0 }, { 1, 0 } }),
      2 * (2 * math.log(2) + math.log(10)), 1e-12, "weights per column of a 2-D input, summed")
    expect.error(function() c:forward(T { 0.5 }, y) end, "input and target size mismatch")
    gradcheck(nn.BCECriterion(T { 1, 2, 0.5 }), torch.rand(2, 3):mul(0.8):add(0.1), torch.rand(2, 3))
  end)

  it("nn.SpatialClassNLLCriterion", function()
    local c = nn.SpatialClassNLLCriterion()
    local x = T { { { { -1, -2 } }, { { -0.5, -0.25 } } } }  -- 1 x 2 x 1 x 2
    local t = L { { { 1, 2 } } }
    expect.near(c:forward(x, t), 0.625, 1e-15, "(1 + 0.25) / 2 pixels")
    H.tensor(c:backward(x, t), { { { { -0.5, 0 } }, { { 0, -0.5 } } } }, 0, "gradInput")
    expect.near(nn.SpatialClassNLLCriterion(nil, false):forward(x, t), 1.25, 1e-15, "sum")
    expect.near(c:forward(x[1], t[1]), 0.625, 1e-15, "3-D input")
    expect.error(function() c:forward(x, L { { { 1, 3 } } }) end,
      "nn.SpatialClassNLLCriterion: target 3 is out of range [1, 2]")
    gradcheck(nn.SpatialClassNLLCriterion(T { 1, 2, 3 }), torch.randn(2, 3, 2, 2),
      L { { { 1, 2 }, { 3, 3 } }, { { 2, 1 }, { 1, 3 } } })
  end)
end)

describe("margin criterions", function()
  it("nn.MarginCriterion", function()
    local c = nn.MarginCriterion()
    local x, y = T { 0.5, 2, -1 }, T { 1, 1, 1 }
    expect.near(c:forward(x, y), 2.5 / 3, 1e-15, "mean max(0, 1 - x y)")
    H.tensor(c:backward(x, y), { -1 / 3, 0, -1 / 3 }, 1e-15, "-y / n inside the margin")
    expect.near(nn.MarginCriterion(0.5):forward(T { 0.5, -1 }, T { 1, -1 }), 0, 0, "margin 0.5")
    gradcheck(c, torch.randn(5), T { 1, -1, 1, -1, 1 })
  end)

  it("nn.MultiMarginCriterion", function()
    local x = T { 0.1, 0.2, 0.4, 0.8 }
    local c = nn.MultiMarginCriterion()
    expect.near(c:forward(x, 4), 0.325, 1e-15, "(0.3 + 0.4 + 0.6) / 4")
    H.tensor(c:backward(x, 4), { 0.25, 0.25, 0.25, -0.75 }, 1e-15, "gradInput")
    expect.near(nn.MultiMarginCriterion(2):forward(x, 4), 0.61 / 4, 1e-15, "p = 2")
    expect.near(nn.MultiMarginCriterion(1, nil, 0.5):forward(x, 4), 0.025, 1e-15, "margin 0.5")
    expect.near(nn.MultiMarginCriterion(1, T { 1, 1, 1, 2 }):forward(x, 4), 0.65, 1e-15, "weight of the target")
    local b = T { { 0.1, 0.2, 0.4, 0.8 }, { 0.1, 0.2, 0.4, 0.8 } }
    expect.near(c:forward(b, L { 4, 4 }), 0.325, 1e-15, "batch mean")
    expect.error(function() nn.MultiMarginCriterion(3) end, "only p=1 and p=2 supported")
    gradcheck(nn.MultiMarginCriterion(2, T { 1, 2, 0.5 }), torch.randn(4, 3), L { 1, 2, 3, 1 })
  end)

  it("nn.MultiLabelMarginCriterion (targets end at the first 0)", function()
    local c = nn.MultiLabelMarginCriterion()
    local x, y = T { 0.1, 0.2, 0.4, 0.8 }, L { 4, 1, 0, 2 }
    expect.near(c:forward(x, y), 0.85, 1e-15, "(0.4 + 0.6 + 1.1 + 1.3) / 4")
    H.tensor(c:backward(x, y), { -0.5, 0.5, 0.5, -0.5 }, 1e-15, "gradInput")
    expect.near(c:forward(T { { 0.1, 0.2, 0.4, 0.8 }, { 0.1, 0.2, 0.4, 0.8 } }, L { { 4, 1, 0, 2 }, { 4, 1, 0, 0 } }),
      0.85, 1e-15, "batch mean")
    gradcheck(c, torch.randn(3, 4), L { { 1, 3, 0, 0 }, { 2, 0, 0, 0 }, { 4, 3, 2, 0 } })
  end)

  it("nn.HingeEmbeddingCriterion", function()
    local c = nn.HingeEmbeddingCriterion()
    local x, y = T { 0.3, 2, 0.5 }, T { 1, -1, -1 }
    expect.near(c:forward(x, y), 0.8 / 3, 1e-15, "x for y = 1, max(0, 1 - x) for y = -1")
    H.tensor(c:backward(x, y), { 1 / 3, 0, -1 / 3 }, 1e-15, "gradInput")
    expect.near(c:forward(T { 0.25 }, -1), 0.75, 0, "number target")
    expect.near(nn.HingeEmbeddingCriterion(3):forward(x, y), (0.3 + 1 + 2.5) / 3, 1e-15, "margin 3")
    gradcheck(c, torch.rand(5):mul(2), T { 1, -1, 1, -1, -1 })
  end)

  it("nn.CosineEmbeddingCriterion", function()
    local c = nn.CosineEmbeddingCriterion()
    local x = { T { 1, 0 }, T { 1, 1 } }
    expect.near(c:forward(x, 1), 1 - SQRT1_2, 1e-12, "1 - cos for y = 1")
    local gi = c:backward(x, 1)
    H.tensor(gi[1], { 0, -SQRT1_2 }, 1e-12, "d/dx1")
    H.tensor(gi[2], { -SQRT1_2 / 2, SQRT1_2 / 2 }, 1e-12, "d/dx2")
    expect.near(c:forward(x, -1), SQRT1_2, 1e-12, "max(0, cos - margin) for y = -1")
    expect.near(nn.CosineEmbeddingCriterion(0.8):forward(x, -1), 0, 0, "inside the margin")
    local b = { T { { 1, 0 }, { 1, 0 } }, T { { 1, 1 }, { 1, 1 } } }
    expect.near(c:forward(b, T { 1, -1 }), (1 - SQRT1_2 + SQRT1_2) / 2, 1e-12, "batch mean")
    gradcheck(c, { torch.randn(3, 4), torch.randn(3, 4) }, T { 1, -1, 1 })
  end)

  it("nn.MarginRankingCriterion", function()
    local c = nn.MarginRankingCriterion()
    local x = { T { 1 }, T { 2 } }
    expect.near(c:forward(x, 1), 2, 0, "max(0, -y (x1 - x2) + 1)")
    local gi = c:backward(x, 1)
    H.tensor(gi[1], { -1 }, 0, "-y")
    H.tensor(gi[2], { 1 }, 0, "y")
    expect.near(c:forward(x, -1), 0, 0, "on the margin")
    local b = { T { 1, 3 }, T { 2, 1 } }
    expect.near(c:forward(b, T { 1, 1 }), 1, 0, "(2 + 0) / 2")
    local bg = c:backward(b, T { 1, 1 })
    H.tensor(bg[1], { -0.5, 0 }, 0, "batch d/dx1")
    H.tensor(bg[2], { 0.5, 0 }, 0, "batch d/dx2")
    gradcheck(c, { torch.randn(4), torch.randn(4) }, T { 1, -1, -1, 1 })
  end)
end)

describe("combined criterions", function()
  it("nn.ParallelCriterion weighs criterion i on input[i]", function()
    local p = nn.ParallelCriterion():add(nn.MSECriterion()):add(nn.AbsCriterion(), 0.5)
    local x = { T { 1, 2 }, T { 3 } }
    local t = { T { 0, 0 }, T { 1 } }
    expect.near(p:forward(x, t), 2.5 + 0.5 * 2, 1e-15, "mse + 0.5 abs")
    local gi = p:backward(x, t)
    H.tensor(gi[1], { 1, 2 }, 1e-15, "mse gradient")
    H.tensor(gi[2], { 0.5 }, 0, "weighted abs gradient")
    local r = nn.ParallelCriterion(true):add(nn.MSECriterion()):add(nn.AbsCriterion())
    expect.near(r:forward({ T { 1 }, T { 3 } }, T { 1 }), 0 + 2, 0, "repeatTarget")
    gradcheck(p, { torch.randn(3), torch.randn(2) }, { torch.randn(3), torch.randn(2) })
  end)

  it("nn.MultiCriterion weighs criterions on the same input", function()
    local m = nn.MultiCriterion():add(nn.MSECriterion()):add(nn.AbsCriterion(), 0.5)
    local x, t = T { 1, 2 }, T { 0, 0 }
    expect.near(m:forward(x, t), 2.5 + 0.5 * 1.5, 1e-15, "weighted sum")
    H.tensor(m:backward(x, t), { 1 + 0.25, 2 + 0.25 }, 1e-15, "weighted gradients")
    expect.eq(m.weights[2], 0.5, "weights kept in a DoubleStorage")
    gradcheck(m, torch.randn(4), torch.randn(4))
  end)
end)

describe("criterions and tensor types", function()
  it("give gradients in the input's type even when not converted", function()
    local x = T { { -1, -2, -3 }, { -0.5, -1.5, -2.5 } }:float()
    local nll = nn.ClassNLLCriterion()
    expect.near(nll:forward(x, L { 3, 1 }), 1.75, 1e-7, "float loss")
    expect.eq(torch.type(nll:backward(x, L { 3, 1 })), "torch.FloatTensor", "ClassNLL gradient")
    local ce = nn.CrossEntropyCriterion()
    ce:forward(x, L { 3, 1 })
    expect.eq(torch.type(ce:backward(x, L { 3, 1 })), "torch.FloatTensor", "CrossEntropy gradient")
    local bce = nn.BCECriterion():float()
    local p = T { 0.5, 0.9 }:float()
    bce:forward(p, T { 1, 0 }:float())
    expect.eq(torch.type(bce:backward(p, T { 1, 0 }:float())), "torch.FloatTensor", "converted criterion")
    local d = nn.ClassNLLCriterion()
    d:forward(T { -1, -2 }, 1)
    expect.eq(torch.type(d:backward(T { -1, -2 }, 1)), "torch.DoubleTensor", "and back to Double")
  end)
end)
