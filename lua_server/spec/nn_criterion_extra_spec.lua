-- Criterions ClassSimplex, SpatialAutoCropMSE, SoftMargin, MultiLabelSoftMargin,
-- L1HingeEmbedding, L1Cost, WeightedMSE, DistanceRatio, and the L1Penalty module: losses
-- against hand-derived values, finite-difference gradients (< 1e-5, Double), float
-- conversion and .t7 round trips.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local TOL = 1e-5

local function gradientOk(c, input, target)
  local err = H.criterionError(c, input, target)
  expect.truthy(err < TOL, torch.type(c) .. " gradient error " .. err)
end

-- the loss is the same after float() and after a trip through a .t7 stream
local function floatAndFile(c, input, target)
  local loss = c:forward(input, target)
  local function toFloat(x)
    if torch.isTensor(x) then return x:float() end
    if type(x) ~= "table" then return x end
    local t = {}
    for i = 1, #x do t[i] = toFloat(x[i]) end
    return t
  end
  local f = c:clone():float()
  expect.near(f:forward(toFloat(input), toFloat(target)), loss, 1e-5, torch.type(c) .. " float loss")
  local file = torch.MemoryFile("rw"):binary()
  file:writeObject(c)
  file:seek(1)
  local copy = file:readObject()
  file:close()
  expect.eq(torch.type(copy), torch.type(c), "class after the round trip")
  expect.near(copy:forward(input, target), loss, 0, torch.type(c) .. " loss after the round trip")
end

describe("margin and log-loss criterions", function()
  it("nn.SoftMarginCriterion is mean log(1 + exp(-y x))", function()
    local c = nn.SoftMarginCriterion()
    local x, y = T { 0, 1, -2 }, T { 1, -1, -1 }
    local want = (math.log(2) + math.log(1 + math.exp(1)) + math.log(1 + math.exp(-2))) / 3
    expect.near(c:forward(x, y), want, 1e-15, "loss")
    H.tensor(c:backward(x, y), { -0.5 / 3, 1 / (1 + math.exp(-1)) / 3, 1 / (1 + math.exp(2)) / 3 }, 1e-15,
      "gradient")
    c.sizeAverage = false
    expect.near(c:forward(x, y), want * 3, 1e-14, "summed")
    gradientOk(nn.SoftMarginCriterion(), T(3, 4):uniform(-2, 2), T(3, 4):bernoulli():mul(2):add(-1))
    floatAndFile(nn.SoftMarginCriterion(), x, y)
  end)

  it("nn.MultiLabelSoftMarginCriterion is the class-weighted binary cross-entropy of sigmoid(x)", function()
    local x, y = T { { 0, 2 } }, T { { 1, 0 } }
    local p = 1 / (1 + math.exp(-2))
    local terms = { -math.log(0.5), -math.log(1 - p) }
    expect.near(nn.MultiLabelSoftMarginCriterion():forward(x, y), (terms[1] + terms[2]) / 2, 1e-15, "loss")
    local w = nn.MultiLabelSoftMarginCriterion(T { 2, 0.5 }, false)
    expect.near(w:forward(x, y), 2 * terms[1] + 0.5 * terms[2], 1e-15, "weighted, summed")
    H.tensor(w:backward(x, y), { { 2 * (0.5 - 1), 0.5 * p } }, 1e-15, "gradient (sigmoid - y) * w")
    gradientOk(nn.MultiLabelSoftMarginCriterion(T { 0.5, 1, 2 }), T(2, 3):uniform(-3, 3), T(2, 3):bernoulli())
    gradientOk(nn.MultiLabelSoftMarginCriterion(), T(4):uniform(-3, 3), T(4):bernoulli())
    expect.error(function() nn.MultiLabelSoftMarginCriterion(T(2, 2)) end, "1-D")
    floatAndFile(nn.MultiLabelSoftMarginCriterion(), x, y)
  end)

  it("nn.L1HingeEmbeddingCriterion: L1 distance for y = 1, hinge on it for y = -1", function()
    local a, b = T { 1, 2 }, T { 2, 0 }
    local c = nn.L1HingeEmbeddingCriterion(5)
    expect.near(c:forward({ a, b }, 1), 3, 0, "similar: the distance")
    H.tensor(c:backward({ a, b }, 1)[1], { -1, 1 }, 0, "similar: sign(a - b)")
    expect.near(c:forward({ a, b }, -1), 2, 0, "dissimilar: margin - distance")
    local g = c:backward({ a, b }, -1)
    H.tensor(g[1], { 1, -1 }, 0, "dissimilar gradient for a")
    H.tensor(g[2], { -1, 1 }, 0, "and for b")
    local near = nn.L1HingeEmbeddingCriterion(1)
    expect.near(near:forward({ a, b }, -1), 0, 0, "beyond the margin")
    H.tensor(near:backward({ a, b }, -1)[1], { 0, 0 }, 0, "no gradient beyond the margin")
    gradientOk(nn.L1HingeEmbeddingCriterion(10), { T(4):uniform(), T(4):uniform(2, 3) }, -1)
    floatAndFile(c, { a, b }, 1)
  end)

  it("nn.DistanceRatioCriterion is X + log(exp(-X) + exp(-Y)), averaged", function()
    local X, Y = T { 1, 0 }, T { 2, 0 }
    local l1 = 1 + math.log(math.exp(-1) + math.exp(-2))
    local l2 = math.log(2)
    local c = nn.DistanceRatioCriterion()
    expect.near(c:forward({ X, Y }), (l1 + l2) / 2, 1e-15, "mean loss")
    local g = c:backward({ X, Y })
    local s = math.exp(-1) + math.exp(-2)
    H.tensor(g[1], { (1 - math.exp(-1) / s) / 2, 0.25 }, 1e-15, "dL/dX")
    H.tensor(g[2], { -math.exp(-2) / s / 2, -0.25 }, 1e-15, "dL/dY")
    expect.near(nn.DistanceRatioCriterion(false):forward({ X, Y }), l1 + l2, 1e-15, "summed")
    gradientOk(nn.DistanceRatioCriterion(), { T(5):uniform(0, 2), T(5):uniform(0, 2) })
    expect.error(function() c:forward({ X }) end, "{X, Y}")
    floatAndFile(c, { X, Y })
  end)
end)

describe("squared-error criterions", function()
  it("nn.WeightedMSECriterion compares the input with weight * target", function()
    local c = nn.WeightedMSECriterion(T { 2, 1 })
    local x, y = T { { 1, 1 }, { 0, 3 } }, T { { 1, 1 }, { 1, 1 } }
    -- weight broadcast over the batch: targets {2, 1}
    expect.near(c:forward(x, y), (1 + 0 + 4 + 4) / 4, 1e-15, "loss")
    H.tensor(c:backward(x, y), { { -0.5, 0 }, { -1, 1 } }, 1e-15, "gradient")
    local same = nn.WeightedMSECriterion(T { { 1, 0 }, { 0, 1 } })
    same.sizeAverage = false
    expect.near(same:forward(x, y), 0 + 1 + 0 + 4, 1e-15, "element-wise weight, summed")
    gradientOk(nn.WeightedMSECriterion(T(3):uniform()), T(4, 3):uniform(), T(4, 3):uniform())
    floatAndFile(c, x, y)
  end)

  it("nn.SpatialAutoCropMSECriterion compares with the centre crop of a larger target", function()
    local x = T(1, 2, 2):fill(1)
    local y = T(1, 4, 5):zero()
    y[1][2][3], y[1][3][3] = 1, 1   -- the crop starts at row 2, column 2
    expect.near(nn.SpatialAutoCropMSECriterion():forward(x, y), 2 / 4, 1e-15, "two of four pixels differ")
    local batch = T(2, 3, 2, 2):uniform()
    local big = T(2, 3, 4, 3):uniform()
    local crop = big[{ {}, {}, { 2, 3 }, { 1, 2 } }]
    expect.near(nn.SpatialAutoCropMSECriterion(false):forward(batch, big), nn.MSECriterion(false):forward(batch, crop),
      1e-15, "equals MSE with the crop")
    gradientOk(nn.SpatialAutoCropMSECriterion(), T(2, 2, 3):uniform(), T(2, 2, 3):uniform())
    expect.error(function() nn.SpatialAutoCropMSECriterion():forward(T(2, 3, 3), T(3, 3, 3)) end, "channels")
    expect.error(function() nn.SpatialAutoCropMSECriterion():forward(T(1, 5, 5), T(1, 4, 5)) end, "resolution")
    expect.error(function() nn.SpatialAutoCropMSECriterion():backward(x, y) end, "same size")
    floatAndFile(nn.SpatialAutoCropMSECriterion(), x, y)
  end)

  it("nn.ClassSimplexCriterion regresses onto the vertices of a regular simplex", function()
    local c = nn.ClassSimplexCriterion(4)
    local s = c.simplex
    expect.eq(H.size(s), "4x4", "nClasses vertices in nClasses dimensions")
    for i = 1, 4 do
      expect.near(s[i]:norm(), 1, 1e-12, "unit vertex " .. i)
      for j = i + 1, 4 do expect.near(s[i]:dot(s[j]), -1 / 3, 1e-12, "equal angles") end
    end
    H.tensor(s:select(2, 4), { 0, 0, 0, 0 }, 0, "the padding column")
    local x = T(2, 4):uniform()
    local target = T { 3, 1 }
    local embedded = torch.cat(s[3]:view(1, 4), s[1]:view(1, 4), 1)
    expect.near(c:forward(x, target), nn.MSECriterion():forward(x, embedded), 1e-15, "MSE to the vertices")
    expect.near(c:forward(x[1], 3), nn.MSECriterion():forward(x[1], s[3]), 1e-15, "a number target")
    H.tensor(c:getTopPrediction(embedded), { 3, 1 }, 0, "the nearest vertex")
    gradientOk(nn.ClassSimplexCriterion(5), T(3, 5):uniform(), T { 5, 2, 1 })
    expect.error(function() nn.ClassSimplexCriterion(1) end, "nClasses > 1")
    floatAndFile(c, x, target)
  end)
end)

describe("L1 costs", function()
  it("nn.L1Cost is sum |x| with gradient sign(x)", function()
    local c = nn.L1Cost()
    local x = T { -2, 0, 3 }
    expect.near(c:forward(x), 5, 0, "loss")
    H.tensor(c:backward(x), { -1, 0, 1 }, 0, "gradient")
    gradientOk(nn.L1Cost(), T(3, 4):uniform(0.1, 1):cmul(T(3, 4):bernoulli():mul(2):add(-1)))
    floatAndFile(c, x)
  end)

  it("nn.L1Penalty passes the input and adds the penalty's gradient", function()
    local x = T { { -2, 0 }, { 3, 1 } }
    local m = nn.L1Penalty(0.5)
    expect.eq(m:forward(x), x, "the output is the input itself")
    expect.near(m.loss, 0.5 * 6, 0, "penalty")
    H.tensor(m:backward(x, T(2, 2):fill(1)), { { 0.5, 1 }, { 1.5, 1.5 } }, 0, "gradOutput + l1weight * sign")
    local avg = nn.L1Penalty(0.5, true)
    avg:forward(x)
    expect.near(avg.loss, 0.5 * 6 / 4, 0, "divided by the element count")
    local alone = nn.L1Penalty(0.5, false, false)
    alone:forward(x)
    H.tensor(alone:backward(x, T(2, 2):fill(1)), { { -0.5, 0 }, { 0.5, 0.5 } }, 0, "without gradOutput")
    local file = torch.MemoryFile("rw"):binary()
    file:writeObject(alone)
    file:seek(1)
    local copy = file:readObject()
    file:close()
    expect.eq(copy.provideOutput, false, "provideOutput survives a round trip")
  end)
end)
