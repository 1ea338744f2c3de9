-- Dropout and SpatialDropout. The masks come from Torch7's generator: Torch7's bernoulli(q)
-- is (uniform() <= q), one draw per element in row-major order, so after the same
-- manualSeed the mask must equal those uniform draws thresholded at 1 − p. Also v2 and v1
-- scaling, evaluate(), in-place use, stochastic inference, printing and errors.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local T = torch.Tensor

-- the 0/1 mask Torch7 draws for n elements with keep probability q, after manualSeed(seed)
local function torch7_mask(seed, n, q)
  torch.manualSeed(seed)
  local m = {}
  for i = 1, n do m[i] = (torch.uniform() <= q) and 1 or 0 end
  return m
end

describe("nn.Dropout", function()
  it("keeps Torch7's fields, defaults and printing", function()
    local d = nn.Dropout()
    expect.eq(d.p, 0.5); expect.eq(d.train, true); expect.eq(d.v2, true)
    expect.eq(d.stochastic_inference, false)
    expect.eq(torch.type(d.noise), "torch.DoubleTensor")
    expect.eq(tostring(d), "nn.Dropout(0.500000)")
    expect.eq(tostring(nn.Dropout(0.25)), "nn.Dropout(0.250000)")
    expect.eq(nn.Dropout(0.2, true).v2, false, "v1 = true turns v2 off")
    expect.error(function() nn.Dropout(1) end, "<Dropout> illegal percentage, must be 0 <= p < 1")
    expect.error(function() nn.Dropout(-0.1) end, "illegal percentage")
    d:setp(0.3)
    expect.eq(d.p, 0.3)
  end)

  it("draws Torch7's mask and scales the kept elements by 1/(1-p) in training", function()
    local p = 0.4
    local d = nn.Dropout(p)
    local x = torch.range(1, 20):view(4, 5)
    torch.manualSeed(77)
    local y = d:forward(x)
    local mask = torch7_mask(77, 20, 1 - p)
    local expected, kept = {}, 0
    for i = 1, 20 do
      expected[i] = mask[i] * i / (1 - p)
      kept = kept + mask[i]
    end
    expect.truthy(kept > 0 and kept < 20, "the seed gives a mixed mask")
    H.tensor(y, T(expected):view(4, 5), 1e-15, "output")
    H.tensor(d.noise, T(mask):div(1 - p):view(4, 5), 1e-15, "noise holds mask/(1-p)")
    local gi = d:backward(x, T(4, 5):fill(2))
    H.tensor(gi, T(mask):mul(2 / (1 - p)):view(4, 5), 1e-15, "gradInput is masked the same way")
    H.tensor(x, torch.range(1, 20):view(4, 5), 0, "input untouched")
  end)

  it("is the identity in evaluation (v2)", function()
    local d = nn.Dropout(0.5)
    d:evaluate()
    local x = T(3, 4):uniform()
    H.tensor(d:forward(x), x, 0, "output")
    H.tensor(d:backward(x, x * 3), x * 3, 0, "gradInput")
  end)

  it("scales by (1-p) in evaluation instead when v1 is asked", function()
    local d = nn.Dropout(0.25, true)
    torch.manualSeed(5)
    local y = d:forward(T(8):fill(1))
    H.tensor(y, T(torch7_mask(5, 8, 0.75)), 0, "training: the bare mask")
    d:evaluate()
    H.tensor(d:forward(T(8):fill(2)), T(8):fill(1.5), 1e-15, "evaluation: x·(1-p)")
    H.tensor(d:backward(T(8), T(8):fill(4)), T(8):fill(3), 1e-15, "gradInput ·(1-p)")
  end)

  it("works in place, keeps drawing under stochastic inference, and draws nothing for p = 0", function()
    local d = nn.Dropout(0.5, false, true)
    local x = T(6):fill(1)
    torch.manualSeed(9)
    local y = d:forward(x)
    H.tensor(x, T(torch7_mask(9, 6, 0.5)):mul(2), 0, "the input itself is dropped")
    expect.truthy(y:isSetTo(x), "output shares the input")
    local s = nn.Dropout(0.5, false, false, true)
    s:evaluate()
    torch.manualSeed(9)
    H.tensor(s:forward(T(6):fill(1)), T(torch7_mask(9, 6, 0.5)):mul(2), 0, "stochastic inference")
    torch.manualSeed(3)
    nn.Dropout(0):forward(T(10):fill(1))
    local after = torch.uniform()
    torch.manualSeed(3)
    expect.eq(after, torch.uniform(), "p = 0 leaves the generator alone")
  end)
end)

describe("nn.SpatialDropout", function()
  it("keeps Torch7's fields and printing", function()
    local d = nn.SpatialDropout()
    expect.eq(d.p, 0.5); expect.eq(d.train, true); expect.eq(d.stochastic_inference, false)
    expect.eq(tostring(nn.SpatialDropout(0.2)), "nn.SpatialDropout(0.200000)")
  end)

  it("drops whole feature maps with one draw per map, without rescaling", function()
    local d = nn.SpatialDropout(0.5)
    local x = T(2, 3, 2, 2):fill(1)
    torch.manualSeed(21)
    local y = d:forward(x)
    local mask = torch7_mask(21, 6, 0.5)
    for n = 1, 2 do
      for c = 1, 3 do
        H.tensor(y[n][c], T(2, 2):fill(mask[(n - 1) * 3 + c]), 0, "map " .. n .. "," .. c)
      end
    end
    expect.eq(H.size(d.noise), "2x3x1x1")
    local gi = d:backward(x, T(2, 3, 2, 2):fill(5))
    H.tensor(gi, y * 5, 0, "gradInput masked by map")
    torch.manualSeed(21)
    H.tensor(d:forward(T(3, 1, 2):fill(1)), T(torch7_mask(21, 3, 0.5)):view(3, 1, 1):expand(3, 1, 2), 0,
      "C×H×W input")
  end)

  it("multiplies by (1-p) in evaluation and has no backward there", function()
    local d = nn.SpatialDropout(0.25)
    d:evaluate()
    H.tensor(d:forward(T(1, 2, 2):fill(4)), T(1, 2, 2):fill(3), 0, "output")
    expect.error(function() d:backward(T(1, 2, 2), T(1, 2, 2)) end, "backprop only defined while training")
    d:training()
    expect.error(function() d:forward(T(4, 4)) end, "Input must be 4D (nbatch, nfeat, h, w) or 3D (nfeat, h, w)")
  end)
end)
