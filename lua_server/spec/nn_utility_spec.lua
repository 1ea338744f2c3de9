-- Utility modules: Contiguous, Copy, Convert, Constant, Collapse, Index, MaskedSelect,
-- OneHot, PrintSize, ZeroGrad, WhiteNoise. Values are hand-derived; gradients are checked
-- by finite differences.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
local C = dofile(here .. "lua_server/spec/nn_checks.lua")
local T = torch.Tensor
torch.manualSeed(1)  -- fixed draws: the statistical checks cannot fail by chance
local jac = nn.Jacobian

-- finite-difference check of the gradient with respect to input[k] only (the other
-- elements are indices or masks)
local function gradOfElement(m, input, k, eps)
  eps = eps or 1e-6
  local g = m:forward(input):clone():uniform(-1, 1)
  local analytic = m:backward(input, g)[k]:clone()
  local x = input[k]:view(input[k]:nElement())
  local a = analytic:view(analytic:nElement())
  local maxerr = 0
  for i = 1, x:nElement() do
    local orig = x[i]
    x[i] = orig + eps
    local fp = m:forward(input):dot(g)
    x[i] = orig - eps
    local fm = m:forward(input):dot(g)
    x[i] = orig
    maxerr = math.max(maxerr, math.abs((fp - fm) / (2 * eps) - a[i]))
  end
  return maxerr
end

local function standard(m, input, floatTol)
  C.floatMatches(m, input, floatTol)
  C.clears(m, input)
  C.roundTrip(m, input)
end

describe("nn.Contiguous", function()
  it("shares a contiguous input and copies a transposed one", function()
    local m = nn.Contiguous()
    local x = torch.randn(3, 4)
    m:forward(x)
    expect.truthy(torch.pointer(m.output:storage()) == torch.pointer(x:storage()), "shared")
    local xt = x:t()
    local out = m:forward(xt)
    expect.truthy(out:isContiguous(), "contiguous copy")
    H.tensor(out, xt:clone(), 0, "same values")
    H.tensor(m:backward(xt, xt), xt:clone(), 0, "gradient passes through")
    expect.truthy(jac.testJacobian(m, torch.Tensor(2, 3)) < 1e-5, "Jacobian")
    standard(m, torch.randn(2, 3))
  end)
end)

describe("nn.Copy", function()
  it("copies between tensor types both ways", function()
    local m = nn.Copy("torch.DoubleTensor", "torch.FloatTensor")
    local x = T { 1.5, -2 }
    local out = m:forward(x)
    expect.eq(torch.type(out), "torch.FloatTensor", "output type")
    H.tensor(out, { 1.5, -2 }, 0, "values")
    local gi = m:backward(x, out)
    expect.eq(torch.type(gi), "torch.DoubleTensor", "gradInput type")
    m.dontCast = true
    m:double()
    expect.eq(torch.type(m.output), "torch.FloatTensor", "dontCast keeps the types")
    C.roundTrip(m, x)
  end)

  it("passes same-type input through unless forced to copy", function()
    local x = torch.randn(2, 2)
    local same = nn.Copy()
    same:forward(x)
    expect.truthy(torch.pointer(same.output:storage()) == torch.pointer(x:storage()), "shared")
    local forced = nn.Copy(nil, nil, true)
    forced:forward(x)
    expect.truthy(torch.pointer(forced.output:storage()) ~= torch.pointer(x:storage()), "copied")
    expect.truthy(jac.testJacobian(forced, torch.Tensor(2, 3)) < 1e-5, "Jacobian")
    standard(forced, torch.randn(2, 3))
  end)

  it("reads Torch7's pass-through copies, which carry closures, as pass-through", function()
    local c = nn.Copy(nil, nil, true)
    c.updateOutput = function() error("Torch7's saved closure") end
    c.updateGradInput = c.updateOutput
    local f = torch.MemoryFile("rw"):binary()
    f:writeObject(c)
    f:seek(1)
    local d = f:readObject()
    local x = torch.randn(2)
    expect.truthy(d:forward(x) == x, "passes through")
    local gi = d:backward(x, x)
    expect.truthy(torch.pointer(gi:storage()) == torch.pointer(x:storage()), "and back, uncopied")
  end)
end)

describe("nn.Convert", function()
  it("permutes axes and flattens to batch x features, batched or not", function()
    local x = torch.randn(2, 3, 4, 5)
    H.tensor(nn.Convert("bchw", "bhwc"):forward(x), x:permute(1, 3, 4, 2):contiguous(), 0, "bchw -> bhwc")
    H.tensor(nn.Convert("bchw", "bf"):forward(x), x:contiguous():view(2, 60), 0, "bchw -> bf")
    local one = torch.randn(3, 4, 5)
    H.tensor(nn.Convert("chw", "f"):forward(one), one:contiguous():view(60), 0, "chw -> f")
    local m = nn.Convert("bchw", "bf")
    m:forward(x)
    H.tensor(m:backward(x, torch.ones(2, 60)), torch.ones(2, 3, 4, 5), 0, "gradient folded back")
    expect.truthy(jac.testJacobian(nn.Convert("bhwc", "bchw"), torch.Tensor(2, 2, 3, 2)) < 1e-5, "Jacobian")
    expect.error(function() nn.Convert("bf", "bhwc"):forward(torch.randn(2, 3)) end, "no conversion")
    standard(nn.Convert("bchw", "bf"), x)
  end)

  it("converts the input to its own type", function()
    local m = nn.Convert():float()
    expect.eq(torch.type(m:forward(torch.randn(2, 2))), "torch.FloatTensor", "float output")
  end)
end)

describe("nn.Constant", function()
  it("outputs the value, once per sample beyond nInputDim, with zero gradient", function()
    H.tensor(nn.Constant(2.5):forward(torch.randn(4)), { 2.5 }, 0, "a number")
    local m = nn.Constant(T { 1, 2 }, 1)
    H.tensor(m:forward(torch.randn(3, 5)), { { 1, 2 }, { 1, 2 }, { 1, 2 } }, 0, "batch")
    H.tensor(m:backward(torch.randn(3, 5), torch.ones(3, 2)), torch.zeros(3, 5), 0, "zero gradient")
    expect.error(function() nn.Constant("x") end, "value must be a number or a tensor")
    standard(m, torch.randn(3, 5))
  end)
end)

describe("nn.Collapse", function()
  it("flattens each sample", function()
    local m = nn.Collapse(2)
    local x = torch.range(1, 24):view(2, 3, 4)
    H.tensor(m:forward(x), torch.range(1, 24):view(2, 12), 0, "batch")
    H.tensor(m:forward(x[1]), torch.range(1, 12), 0, "one sample")
    H.tensor(m:forward(x:transpose(2, 3)), x:transpose(2, 3):contiguous():view(2, 12), 0, "non-contiguous")
    expect.eq(H.size(m:backward(x, torch.ones(2, 12))), "2x3x4", "gradient in the input's shape")
    expect.truthy(jac.testJacobian(m, torch.Tensor(2, 3, 2)) < 1e-5, "Jacobian")
    standard(m, torch.randn(2, 3, 4))
  end)
end)

describe("nn.Index", function()
  it("selects along a dimension; repeated indices add their gradients", function()
    local m = nn.Index(1)
    local input = { T { 10, 20, 30 }, torch.LongTensor { 3, 1, 3 } }
    H.tensor(m:forward(input), { 30, 10, 30 }, 0, "forward")
    local gi = m:backward(input, T { 1, 2, 4 })
    H.tensor(gi[1], { 2, 0, 5 }, 0, "scattered and summed")
    H.tensor(gi[2], { 0, 0, 0 }, 0, "no gradient for the index")
    local m2 = nn.Index(2)
    local x = torch.randn(2, 4)
    local idx = torch.LongTensor { 4, 2 }
    expect.truthy(gradOfElement(m2, { x, idx }, 1) < 1e-6, "finite differences")
    expect.truthy(m2:clearState() == m2, "clearState returns self")
    C.roundTrip(m2, { x, idx })
  end)
end)

describe("nn.MaskedSelect", function()
  it("keeps the masked elements and puts the gradient back in place", function()
    local m = nn.MaskedSelect()
    local x = T { { 1, 2 }, { 3, 4 } }
    local mask = torch.ByteTensor { { 1, 0 }, { 0, 1 } }
    H.tensor(m:forward({ x, mask }), { 1, 4 }, 0, "forward")
    local gi = m:backward({ x, mask }, T { 10, 20 })
    H.tensor(gi[1], { { 10, 0 }, { 0, 20 } }, 0, "scattered")
    expect.eq(torch.type(gi[2]), "torch.ByteTensor", "mask gradient stays a ByteTensor")
    local mask2 = torch.ByteTensor { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } }
    expect.truthy(gradOfElement(m, { torch.randn(3, 3), mask2 }, 1) < 1e-6, "finite differences")
    m:float()
    expect.eq(torch.type(m:forward({ x:float(), mask })), "torch.FloatTensor", "float")
    C.roundTrip(m, { x:float(), mask })
  end)
end)

describe("nn.OneHot", function()
  it("turns class indices into one-hot rows", function()
    local m = nn.OneHot(4)
    H.tensor(m:forward(torch.LongTensor { 2, 4 }), { { 0, 1, 0, 0 }, { 0, 0, 0, 1 } }, 0, "vector")
    H.tensor(m:forward(3), { 0, 0, 1, 0 }, 0, "a number")
    expect.eq(H.size(m:forward(torch.LongTensor(2, 3):fill(1))), "2x3x4", "any shape")
    H.tensor(m:backward(T { 1, 2 }, torch.ones(2, 4)), { 0, 0 }, 0, "zero gradient")
    expect.error(function() m:forward(torch.LongTensor { 0 }) end, "class indices must lie in [1, 4]")
    standard(m, T { 1, 3 })
  end)
end)

describe("nn.PrintSize", function()
  it("prints sizes and passes everything through", function()
    local lines, saved = {}, print
    _G.print = function(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      lines[#lines + 1] = table.concat(parts, " ")
    end
    local m = nn.PrintSize("here")
    local x = torch.randn(2, 3)
    local ok, err = pcall(function()
      expect.truthy(m:forward(x) == x, "output is the input")
      expect.truthy(m:backward(x, x) == x, "gradInput is gradOutput")
    end)
    _G.print = saved
    if not ok then error(err, 0) end
    expect.eq(#lines, 2, "one line each way")
    expect.truthy(lines[1]:find("here:input", 1, true), lines[1])
    expect.truthy(lines[2]:find("here:gradOutput", 1, true), lines[2])
  end)
end)

describe("nn.ZeroGrad", function()
  it("is the identity forward and blocks the gradient", function()
    local m = nn.ZeroGrad()
    local x = torch.randn(2, 3)
    H.tensor(m:forward(x), x, 0, "identity")
    H.tensor(m:backward(x, torch.ones(2, 3)), torch.zeros(2, 3), 0, "zero gradient")
    standard(m, x)
  end)
end)

describe("nn.WhiteNoise", function()
  it("adds N(mean, std) noise in training and only the mean in evaluation", function()
    local m = nn.WhiteNoise(1, 0.5)
    local x = torch.zeros(2000)
    local out = m:forward(x)
    expect.near(out:mean(), 1, 0.05, "mean")
    expect.near(out:std(), 0.5, 0.05, "std")
    H.tensor(out - x, m.noise, 0, "the noise drawn is kept")
    H.tensor(m:backward(x, torch.ones(2000)), torch.ones(2000), 0, "gradient passes through")
    m:evaluate()
    H.tensor(m:forward(T { 1, 2 }), { 2, 3 }, 0, "evaluate adds the mean")
    expect.error(function() m:backward(T { 1, 2 }, T { 1, 1 }) end, "backprop only defined while training")
    expect.eq(tostring(m), "nn.WhiteNoise mean: 1.000000, std: 0.500000")
    C.clears(m, T { 1, 2 })
    C.roundTrip(m, T { 1, 2 })
  end)
end)
