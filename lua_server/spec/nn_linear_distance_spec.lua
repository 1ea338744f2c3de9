-- Linear-type, distance and table modules: PartialLinear, SparseLinear, IndexLinear, Kmeans,
-- CAddTensorTable, CMaxTable, CMinTable, MM, MV, DotProduct, Cosine, CosineDistance,
-- PairwiseDistance, WeightedEuclidean, PixelShuffle, LayerNormalization. Values against
-- hand-derived references or an equivalent dense nn.Linear, finite-difference gradients
-- (< 1e-5, Double), float conversion, clearState and .t7 round trips.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor
local TOL = 1e-5

local function small(err, what) expect.truthy(err < TOL, what .. " error " .. err) end

local function copyThroughFile(m)
  local f = torch.MemoryFile("rw"):binary()
  f:writeObject(m)
  f:seek(1)
  local copy = f:readObject()
  f:close()
  return copy
end

-- every tensor leaf of the module's output after float() matches the Double output
local function floatMatches(m, input)
  local out = H.leaves(m:forward(input))
  local ref = {}
  for i = 1, #out do ref[i] = out[i]:clone() end
  local function toFloat(x)
    if torch.isTensor(x) then return torch.type(x) == "torch.DoubleTensor" and x:float() or x end
    local t = {}
    for i = 1, #x do t[i] = toFloat(x[i]) end
    return t
  end
  local fout = H.leaves(m:clone():float():forward(toFloat(input)))
  for i = 1, #ref do
    expect.eq(torch.type(fout[i]), "torch.FloatTensor", torch.type(m) .. " float output")
    H.tensor(fout[i]:double(), ref[i], 1e-5, torch.type(m) .. " float output " .. i)
  end
end

describe("matrix products and dot products", function()
  it("nn.MM multiplies pairs, optionally transposed", function()
    local a, b = T { { 1, 2 }, { 3, 4 } }, T { { 5, 6 }, { 7, 8 } }
    H.tensor(nn.MM():forward({ a, b }), { { 19, 22 }, { 43, 50 } }, 0, "A B")
    H.tensor(nn.MM(true, false):forward({ a, b }), { { 26, 30 }, { 38, 44 } }, 0, "A^T B")
    H.tensor(nn.MM(false, true):forward({ a, b }), { { 17, 23 }, { 39, 53 } }, 0, "A B^T")
    for _, tr in ipairs({ { false, false }, { true, false }, { false, true }, { true, true } }) do
      local x = { T(2, 3, 4):uniform(), T(2, 4, 3):uniform() }
      if tr[1] then x[1] = T(2, 4, 3):uniform() end
      if tr[2] then x[2] = T(2, 3, 4):uniform() end
      small(H.gradInputError(nn.MM(tr[1], tr[2]), x), "MM gradient")
    end
    expect.error(function() nn.MM():forward({ T(2, 3), T(2, 3) }) end, "matrix sizes do not match")
    floatMatches(nn.MM(), { T(2, 3):uniform(), T(3, 2):uniform() })
  end)

  it("nn.MV multiplies matrices by vectors", function()
    local M, v = T { { 1, 2 }, { 3, 4 } }, T { 1, -1 }
    H.tensor(nn.MV():forward({ M, v }), { -1, -1 }, 0, "M v")
    H.tensor(nn.MV(true):forward({ M, v }), { -2, -2 }, 0, "M^T v")
    small(H.gradInputError(nn.MV(), { T(3, 4):uniform(), T(4):uniform() }), "MV")
    small(H.gradInputError(nn.MV(true), { T(2, 4, 3):uniform(), T(2, 4):uniform() }), "batched MV^T")
    small(H.gradInputError(nn.MV(), { T(2, 3, 4):uniform(), T(2, 4):uniform() }), "batched MV")
    expect.error(function() nn.MV("yes") end, "boolean")
  end)

  it("nn.DotProduct, nn.CosineDistance and nn.PairwiseDistance compare rows", function()
    local a, b = T { { 1, 2, 2 }, { 3, 0, 4 } }, T { { 2, 0, 1 }, { 3, 0, 4 } }
    H.tensor(nn.DotProduct():forward({ a, b }), { 4, 25 }, 0, "dot")
    H.tensor(nn.CosineDistance():forward({ a, b }), { 4 / (3 * math.sqrt(5)), 1 }, 1e-12, "cosine")
    H.tensor(nn.PairwiseDistance(2):forward({ a, b }), { math.sqrt(1 + 4 + 1), 0 }, 1e-15, "L2")
    H.tensor(nn.PairwiseDistance(1):forward({ a, b }), { 4, 0 }, 0, "L1")
    H.tensor(nn.PairwiseDistance(2):forward({ a[1], b[1] }), { math.sqrt(6) }, 1e-15, "one pair gives size 1")
    H.tensor(nn.DotProduct():forward({ a[1], b[1] }), { 4 }, 0, "one pair")
    for _, m in ipairs({ nn.DotProduct(), nn.CosineDistance(), nn.PairwiseDistance(2), nn.PairwiseDistance(3) }) do
      small(H.gradInputError(m, { T(3, 4):uniform(-1, 1), T(3, 4):uniform(-1, 1) }), torch.type(m) .. " batch")
      small(H.gradInputError(m, { T(4):uniform(-1, 1), T(4):uniform(-1, 1) }), torch.type(m) .. " single")
      floatMatches(m, { T(2, 3):uniform(), T(2, 3):uniform() })
      local copy = copyThroughFile(m)
      H.tensor(copy:forward({ a, b }), m:forward({ a, b }), 0, torch.type(m) .. " after a round trip")
    end
    local d = nn.DotProduct()
    d:forward({ a, b })
    d:clearState()
    expect.eq(d.output:nElement(), 0, "clearState")
  end)

  it("nn.PairwiseDistance backward still works after clearState and a file round trip", function()
    -- a = (1,2,2), b = (2,0,1): diff (-1,2,1), L2 = sqrt 6, so d/da = diff / sqrt 6 and d/db = -d/da
    local a, b = T { 1, 2, 2 }, T { 2, 0, 1 }
    local m = nn.PairwiseDistance(2)
    m:forward({ a, b })
    m:backward({ a, b }, T { 1 })
    m:clearState()
    local copy = copyThroughFile(m)
    for _, module in ipairs({ m, copy }) do
      module:forward({ a, b })
      local g = module:backward({ a, b }, T { 1 })
      local s = math.sqrt(6) + 1e-6
      H.tensor(g[1], { -1 / s, 2 / s, 1 / s }, 1e-12, "gradient wrt a")
      H.tensor(g[2], { 1 / s, -2 / s, -1 / s }, 1e-12, "gradient wrt b")
    end
  end)
end)

describe("table arithmetic", function()
  it("nn.CMaxTable and nn.CMinTable route the gradient to the winner (the first on ties)", function()
    local x = { T { 1, 5, 3 }, T { 4, 2, 3 }, T { 0, 5, 9 } }
    local mx, mn = nn.CMaxTable(), nn.CMinTable()
    H.tensor(mx:forward(x), { 4, 5, 9 }, 0, "max")
    H.tensor(mn:forward(x), { 0, 2, 3 }, 0, "min")
    local g = mx:backward(x, T { 10, 20, 30 })
    H.tensor(g[1], { 0, 20, 0 }, 0, "max gradient 1 (tie goes to the first)")
    H.tensor(g[2], { 10, 0, 0 }, 0, "max gradient 2")
    H.tensor(g[3], { 0, 0, 30 }, 0, "max gradient 3")
    local h = mn:backward(x, T { 10, 20, 30 })
    H.tensor(h[1], { 0, 0, 30 }, 0, "min gradient 1 (tie goes to the first)")
    H.tensor(h[3], { 10, 0, 0 }, 0, "min gradient 3")
    expect.eq(#mx:backward({ x[1], x[2] }, T { 1, 1, 1 }), 2, "gradInput shrinks with the input")
    small(H.gradInputError(nn.CMaxTable(), { T(3, 4):uniform(), T(3, 4):uniform() }), "CMaxTable")
    floatMatches(nn.CMinTable(), { T(2, 3):uniform(), T(2, 3):uniform() })
  end)

  it("nn.CAddTensorTable adds one tensor to each of a table", function()
    local v = T { 1, 2 }
    local out = nn.CAddTensorTable():forward({ v, { T { 10, 20 }, T { 0, 0 } } })
    H.tensor(out[1], { 11, 22 }, 0, "first")
    H.tensor(out[2], { 1, 2 }, 0, "second")
    small(H.gradInputError(nn.CAddTensorTable(), { T(3):uniform(), { T(3):uniform(), T(3):uniform() } }),
      "CAddTensorTable")
  end)
end)

describe("distances with parameters", function()
  it("nn.Cosine is the cosine between the input and each weight row", function()
    local m = nn.Cosine(2, 2)
    m.weight:copy(T { { 1, 0 }, { 1, 1 } })
    H.tensor(m:forward(T { 3, 4 }), { 3 / 5, 7 / (5 * math.sqrt(2)) }, 1e-12, "cosines")
    for _, x in ipairs({ T(4), T(3, 4) }) do
      local c = nn.Cosine(4, 3)
      small(nn.Jacobian.testJacobian(c, x), "Cosine input")
      small(nn.Jacobian.testJacobianParameters(c, x, c.weight, c.gradWeight), "Cosine weight")
    end
    torch.manualSeed(1)
    local c = nn.Cosine(4, 3)
    torch.manualSeed(1)
    H.tensor(c.weight, T(3, 4):uniform(-1 / math.sqrt(3), 1 / math.sqrt(3)), 0, "Torch7's draws (stdv by output size)")
    floatMatches(c, T(2, 4):uniform())
    H.tensor(copyThroughFile(c):forward(T { 1, 2, 3, 4 }), c:forward(T { 1, 2, 3, 4 }), 0, "round trip")
  end)

  it("nn.WeightedEuclidean scales each coordinate by a learnt diagonal", function()
    local m = nn.WeightedEuclidean(2, 1)
    m.weight:copy(T { { 1 }, { 2 } })
    m.diagCov:copy(T { { 2 }, { 0.5 } })
    H.tensor(m:forward(T { 4, 6 }), { math.sqrt(36 + 4) }, 1e-12, "||c (x - w)||")
    for _, x in ipairs({ T(4), T(3, 4) }) do
      local w = nn.WeightedEuclidean(4, 3)
      w.diagCov:uniform(0.5, 1.5)
      small(nn.Jacobian.testJacobian(w, x), "input")
      small(nn.Jacobian.testJacobianParameters(w, x, w.weight, w.gradWeight), "weight")
      small(nn.Jacobian.testJacobianParameters(w, x, w.diagCov, w.gradDiagCov), "diagCov")
    end
    local p, g = m:parameters()
    expect.eq(#p, 2, "parameters are weight and diagCov")
    expect.eq(g[2], m.gradDiagCov, "gradients")
    floatMatches(nn.WeightedEuclidean(4, 3), T(2, 4):uniform())
    m:clearState()
    expect.eq(m._repeat:nElement(), 0, "clearState empties the buffer")
  end)
end)

describe("sparse and partial linear layers", function()
  it("nn.SparseLinear without doGradInput gives one sample's gradient at its nonzeros", function()
    -- W = [[1 2 3], [4 5 6]]; g = (1, -1): d(g . out)/d x_j = W[1][j] - W[2][j] = -3 for every j
    local m = nn.SparseLinear(3, 2)
    m.weight:copy(T { { 1, 2, 3 }, { 4, 5, 6 } })
    local x = T { { 3, 0.5 }, { 1, 2 } }
    m:forward(x)
    local gi = m:backward(x, T { 1, -1 })
    H.tensor(gi, { { 3, -3 }, { 1, -3 } }, 0, "(index, gradient) per nonzero")
    m.weight:copy(T { { 1, 0, 2 }, { 0, 1, 0 } })
    H.tensor(m:updateGradInput(x, T { 2, 5 }), { { 3, 4 }, { 1, 2 } }, 0, "W^T g at indices 3 and 1")
    small(nn.SparseJacobian.testJacobian(nn.SparseLinear(7, 4), T { { 6, 0 }, { 2, 0 }, { 4, 0 } }), "jacobian")
  end)

  it("nn.SparseLinear equals a dense Linear on the scattered input", function()
    torch.manualSeed(2)
    local m = nn.SparseLinear(6, 3, true)
    local dense = nn.Linear(6, 3)
    dense.weight:copy(m.weight)
    dense.bias:copy(m.bias)
    local x1, x2 = T { { 2, 0.5 }, { 5, -1 } }, T { { 1, 3 } }
    local d = T(2, 6):zero()
    d[1][2], d[1][5], d[2][1] = 0.5, -1, 3
    H.tensor(m:forward({ x1, x2 }), dense:forward(d), 1e-14, "batch")
    H.tensor(m:forward(x1), dense:forward(d[1]), 1e-14, "one sample")
    local g = T(2, 3):uniform()
    m:zeroGradParameters()
    dense:zeroGradParameters()
    local gi = m:backward({ x1, x2 }, g)
    local dgi = dense:backward(d, g)
    H.tensor(m.gradWeight, dense.gradWeight, 1e-14, "gradWeight")
    H.tensor(m.gradBias, dense.gradBias, 1e-14, "gradBias")
    H.tensor(gi[2]:select(2, 2), dgi[2], 1e-14, "dense gradInput")
    H.tensor(gi[2]:select(2, 1), { 1, 2, 3, 4, 5, 6 }, 0, "indices of the gradInput rows")
    m:updateParameters(0.1)
    dense:updateParameters(0.1)
    H.tensor(m.weight, dense.weight, 1e-14, "sparse update after one input")
    m:zeroGradParameters()
    expect.eq(m.gradWeight:abs():sum(), 0, "sparse zeroing")
    local legacy = T(2, 2, 2)
    legacy[1]:copy(T { { 2, 0.5 }, { 5, -1 } })
    legacy[2]:copy(T { { 1, 3 }, { 6, 0 } })
    H.tensor(m:forward(legacy), torch.cat(m:clone():forward(x1):view(1, 3), m:clone():forward(x2):view(1, 3), 1),
      1e-14, "legacy 3-D batch")
    expect.error(function() m:forward(T { { 7, 1 } }) end, "index out of range")
    local copy = copyThroughFile(m)
    H.tensor(copy:forward(x1), m:forward(x1), 0, "round trip")
    floatMatches(m, { x1, x2 })
  end)

  it("nn.IndexLinear equals a dense Linear, in each of its input forms", function()
    local m = nn.IndexLinear(6, 2, true)
    m:reset()
    local dense = nn.Linear(6, 2)
    dense.weight:copy(m.weight:t())
    dense.bias:copy(m.bias)
    local k1, v1 = torch.LongTensor { 2, 5 }, T { 0.5, -1 }
    local k2, v2 = torch.LongTensor { 1 }, T { 3 }
    local d = T(2, 6):zero()
    d[1][2], d[1][5], d[2][1] = 0.5, -1, 3
    local want = dense:forward(d):clone()
    H.tensor(m:forward({ { k1, k2 }, { v1, v2 } }), want, 1e-14, "table batch")
    H.tensor(m:forward({ torch.cat(k1, k2), torch.cat(v1, v2), torch.LongTensor { 2, 1 } }), want, 1e-14, "flat")
    H.tensor(m:forward({ k1, v1 }), want[1], 1e-14, "one sample")
    local g = T(2, 2):uniform()
    m:zeroGradParameters()
    m:forward({ { k1, k2 }, { v1, v2 } })
    local gi = m:backward({ { k1, k2 }, { v1, v2 } }, g)
    H.tensor(gi[2][1], dense:backward(d, g)[1], 1e-14, "dense gradInput")
    H.tensor(m.running.gradWeight[1], torch.cat(torch.ger(v1, g[1]), torch.ger(v2, g[2]), 1), 1e-15,
      "one gradient row per key")
    dense:zeroGradParameters()
    dense:backward(d, g)
    m:updateParameters(0.5)
    dense:updateParameters(0.5)
    H.tensor(m.weight:t(), dense.weight, 1e-14, "updated rows")
    H.tensor(m.bias, dense.bias, 1e-14, "updated bias")
    expect.error(function() m:forward({ torch.LongTensor { 9 }, T { 1 } }) end, "out of range")
    local copy = copyThroughFile(m)
    H.tensor(copy:forward({ k1, v1 }), m:forward({ k1, v1 }), 0, "round trip")
  end)

  it("nn.IndexLinear max-normalize keeps per-feature maxima in training", function()
    local m = nn.IndexLinear(4, 1, false, nil, nil, nil, true)
    m:reset()
    m:training()  -- a fresh Torch7 module has no train flag, and then keeps its maxima
    expect.eq(m.weight:size(2), 5, "4 state columns")
    m:forward({ torch.LongTensor { 3 }, T { -4 } })
    expect.eq(m.weight[3][1], 4, "max |value|")
    expect.eq(m.weight[3][2], 0.25, "its inverse")
    H.tensor(m.normalizedValues, { -1 }, 0, "value / max")
    m:evaluate()
    m:forward({ torch.LongTensor { 3 }, T { 8 } })
    expect.eq(m.weight[3][1], 4, "evaluate keeps the maximum")
    H.tensor(m.normalizedValues, { 1 }, 0, "clamped to the sign beyond the maximum")
  end)

  it("nn.PartialLinear computes the chosen output units of a Linear", function()
    torch.manualSeed(5)
    local m = nn.PartialLinear(3, 4)
    m.bias:uniform()
    local w = m.network:get(1):get(2).weight
    local x = T(2, 3):uniform()
    local full = torch.mm(x, w:t()):add(m.bias:expand(2, 4))
    H.tensor(m:forward(x), full, 1e-14, "all units")
    m:setPartition(T { 2, 4 })
    H.tensor(m:forward(x), full:index(2, torch.LongTensor { 2, 4 }), 1e-14, "units 2 and 4")
    small(H.gradInputError(m, x), "gradInput")
    small(H.paramError(m, x, m.bias, m.gradBias), "bias")
    small(H.paramError(m, x, w, m.network:get(1):get(2).gradWeight), "weight")
    m:resetPartition()
    expect.eq(m:forward(x):size(2), 4, "reset")
    expect.eq(tostring(m), "nn.PartialLinear(3 -> 4)", "prints")
    H.tensor(copyThroughFile(m):forward(x), m:forward(x), 0, "round trip")
  end)
end)

describe("k-means, pixel shuffle and layer normalization", function()
  it("nn.Kmeans assigns the nearest centroid and steps centroids to cluster means", function()
    local m = nn.Kmeans(2, 1)
    m.weight:copy(T { { 0 }, { 10 } })
    local x = T { { 1 }, { 2 }, { 9 } }
    H.tensor(m:forward(x), { 1, 1, 2 }, 0, "assignments")
    expect.near(m.loss, 1 + 4 + 1, 1e-15, "within-cluster squared error")
    m:zeroGradParameters()
    m:backward(x)
    H.tensor(m.clusterSampleCount, { 2, 1 }, 0, "counts")
    H.tensor(m.gradWeight, { { -3 / (2 + 1e-7) }, { 1 / (1 + 1e-7) } }, 1e-15, "-(mean(x) - c)")
    m.weight:add(-1, m.gradWeight)
    H.tensor(m.weight, { { 1.5 }, { 9 } }, 1e-6, "one step reaches the means")
    torch.manualSeed(9)
    m:initRandom(x)
    torch.manualSeed(9)
    local rows = torch.zeros(2):random(1, 3)
    H.tensor(m.weight, { { x[rows[1]][1] }, { x[rows[2]][1] } }, 0, "initRandom copies drawn rows")
    local pp = nn.Kmeans(2, 1)
    pp:initKmeansPlus(T { { 0 }, { 0 }, { 5 } }, 0.5)
    H.tensor(pp.weight:view(2):sort(), { 0, 5 }, 0, "k-means++ picks the far point")
    H.tensor(copyThroughFile(m):forward(x), m:forward(x), 0, "round trip")
    floatMatches(m, x)
  end)

  it("nn.PixelShuffle moves r x r channel groups into space and back", function()
    local x = T(4, 1, 1)
    x:view(4):copy(T { 1, 2, 3, 4 })
    local m = nn.PixelShuffle(2)
    H.tensor(m:forward(x), { { { 1, 2 }, { 3, 4 } } }, 0, "upscale")
    local down = nn.PixelShuffle(2, false)
    H.tensor(down:forward(m.output), x, 0, "downscale inverts it")
    local b = T(2, 8, 2, 3):uniform()
    local y = m:forward(b)
    expect.eq(H.size(y), "2x2x4x6", "batch")
    H.tensor(m:backward(b, y), b, 0, "backward is the inverse permutation")
    small(nn.Jacobian.testJacobian(nn.PixelShuffle(2), T(8, 2, 2)), "PixelShuffle")
    expect.error(function() m:forward(T(3, 2, 2)) end, "divisible")
    floatMatches(nn.PixelShuffle(2), T(4, 2, 2):uniform())
    m:clearState()
    expect.eq(m._shuffleOut:nElement(), 0, "clearState")
  end)

  it("nn.LayerNormalization centres a sample and scales it to norm sqrt(nOutput)", function()
    local m = nn.LayerNormalization(4)
    local x = T { 1, 2, 3, 6 }
    local y = m:forward(x)
    local c = T { -2, -1, 0, 3 }
    H.tensor(y, c:div(c:norm() / 2), 1e-9, "(x - mean) * 2 / ||x - mean||")
    -- a batch goes through Torch7's composition unchanged: Replicate gives nOutput x batch
    -- means, which CSubTable subtracts element by element in memory order (the recorded
    -- Torch7 cases pin this)
    local b = T { { 1, 2, 3, 4 }, { 2, 2, 2, 6 } }
    local means = b:mean(2):view(1, 2):expand(4, 2):contiguous():view(2, 4)
    local centred = b - means
    local norms = centred:norm(2, 2):add(1e-10)
    H.tensor(m:forward(b), centred:cdiv(norms:expandAs(centred)):mul(2), 1e-9, "batch")
    local mod = nn.LayerNormalization(4, 0.5, 1e-10, true)
    local ps = mod:parameters()
    H.tensor(ps[1], { 1, 1, 1, 1 }, 0, "gain starts at 1")
    H.tensor(ps[2], { 0.5, 0.5, 0.5, 0.5 }, 0, "bias starts at the given value")
    expect.eq(#nn.LayerNormalization(4, 0, 1e-10, false).modules, 4, "no affine stage")
    small(nn.Jacobian.testJacobian(nn.LayerNormalization(5), T(3, 5)), "input")
    local a = nn.LayerNormalization(5)
    small(nn.Jacobian.testJacobianParameters(a, T(3, 5), a:get(5).weight, a:get(5).gradWeight), "gain")
    H.tensor(copyThroughFile(m):forward(x), m:forward(x), 0, "round trip")
  end)
end)
