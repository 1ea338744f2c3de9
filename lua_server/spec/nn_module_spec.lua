-- nn.Module's API: getParameters (Torch7's flatten), clone, share, type conversion,
-- clearState, apply, findModules, listModules, replace, reset, accUpdateGradParameters,
-- __call__, training/evaluate; and nn.Jacobian itself.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")

local function mlp()
  torch.manualSeed(7)
  return nn.Sequential():add(nn.Linear(2, 3)):add(nn.Tanh()):add(nn.Linear(3, 1))
end

describe("nn.Module getParameters", function()
  it("copies every parameter into one flat tensor and re-points them into it", function()
    local m = mlp()
    local before = {}
    for i, p in ipairs(m:parameters()) do before[i] = H.flat(p) end
    local p, g = m:getParameters()
    expect.eq(p:dim(), 1, "flat params dim")
    expect.eq(p:nElement(), 13, "2*3 + 3 + 3*1 + 1")
    expect.eq(g:nElement(), 13, "flat grads")
    local params, grads = m:parameters()
    local offsets = {}
    for i, t in ipairs(params) do
      offsets[i] = t:storageOffset()
      expect.eq(torch.pointer(t:storage()), torch.pointer(p:storage()), "param " .. i .. " storage")
      expect.eq(torch.pointer(grads[i]:storage()), torch.pointer(g:storage()), "grad " .. i .. " storage")
      expect.same(H.flat(t), before[i], "param " .. i .. " values kept")
    end
    expect.same(offsets, { 1, 7, 10, 13 }, "offsets in parameters() order")
    expect.same(H.size(m.modules[1].weight), "3x2", "shape kept")
    -- writing the flat tensor writes the modules' parameters
    p:fill(0.5)
    expect.eq(m.modules[3].bias[1], 0.5, "bias sees p")
    expect.eq(m.modules[1].weight[2][1], 0.5, "weight sees p")
  end)

  it("collects gradients so that backward fills the flat gradient", function()
    local m = mlp()
    local p, g = m:getParameters()
    m:zeroGradParameters()
    expect.eq(g:abs():sum(), 0, "zeroed")
    local x = torch.Tensor { { 0.5, -1 }, { 2, 0.25 } }
    m:forward(x)
    m:backward(x, torch.Tensor { { 1 }, { -0.5 } })
    local expected = {}
    for _, t in ipairs(select(2, m:parameters())) do
      for _, v in ipairs(H.flat(t)) do expected[#expected + 1] = v end
    end
    expect.same(H.flat(g), expected, "flat gradient = gradients in order")
    expect.truthy(g:abs():sum() > 0, "gradient is not zero")
  end)

  it("keeps shared parameters shared, counting them once", function()
    local a = nn.Linear(3, 2)
    local b = a:clone("weight", "bias", "gradWeight", "gradBias")
    local c = nn.Sequential():add(a):add(b)
    local p, g = c:getParameters()
    expect.eq(p:nElement(), 8, "3*2 + 2, once")
    expect.eq(g:nElement(), 8, "grads once")
    p:fill(2)
    expect.eq(b.weight[1][1], 2, "the clone sees the flat storage")
    expect.eq(a.weight:storageOffset(), b.weight:storageOffset(), "same offsets")
    expect.eq(torch.pointer(a.weight:storage()), torch.pointer(b.weight:storage()), "same storage")
    b.bias[2] = -3
    expect.eq(a.bias[2], -3, "still shared after flattening")
  end)

  it("squeezes out elements no parameter uses", function()
    local l = nn.Linear(3, 3)
    local big = torch.Tensor(20):zero()
    local w = torch.Tensor(big:storage(), 5, torch.LongStorage { 3, 3 })
    w:copy(torch.range(1, 9):view(3, 3))
    l.weight:set(w)
    local p = l:getParameters()
    expect.eq(p:nElement(), 12, "9 used weight elements + 3 bias")
    expect.same(H.flat(l.weight), { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, "weight values")
    expect.eq(l.weight:storageOffset(), 1, "compacted to the front")
  end)

  it("refuses tensors with holes inside them", function()
    local l = nn.Linear(2, 2)
    local big = torch.Tensor(10):zero()
    l.weight:set(big:storage(), 1, torch.LongStorage { 2, 2 }, torch.LongStorage { 4, 2 })
    expect.error(function() l:getParameters() end, "Cannot gather tensors that are not compact")
  end)

  it("returns empty tensors for a module without parameters", function()
    local p, g = nn.Tanh():getParameters()
    expect.eq(p:nElement(), 0, "params")
    expect.eq(g:nElement(), 0, "grads")
  end)
end)

describe("nn.Module clone", function()
  it("deep-copies through a MemoryFile", function()
    expect.truthy(torch.MemoryFile ~= nil, "require 'torch' exposes torch.MemoryFile")
    local m = mlp()
    local c = m:clone()
    expect.eq(torch.type(c), "nn.Sequential", "type")
    expect.eq(tostring(c), tostring(m), "same printout")
    expect.same(H.flat(c.modules[1].weight), H.flat(m.modules[1].weight), "same values")
    expect.truthy(torch.pointer(c.modules[1].weight:storage()) ~= torch.pointer(m.modules[1].weight:storage()),
      "not the same storage")
    c.modules[1].weight:fill(9)
    expect.truthy(m.modules[1].weight[1][1] ~= 9, "original untouched")
    local x = torch.Tensor { 0.3, -0.7 }
    local orig = m:forward(x)[1]
    c = m:clone()
    expect.eq(c:forward(x)[1], orig, "the clone computes the same")
  end)

  it("keeps sharing inside the cloned module", function()
    local a = nn.Linear(2, 2)
    local b = nn.Linear(2, 2)
    b:share(a, "weight")
    local s = nn.Sequential():add(a):add(b)
    local c = s:clone()
    c.modules[1].weight:fill(4)
    expect.eq(c.modules[2].weight[2][2], 4, "clone's modules share with each other")
    expect.truthy(a.weight[2][2] ~= 4, "but not with the original")
  end)

  it("shares the named fields with the original", function()
    local a = nn.Linear(2, 3)
    local c = a:clone("weight", "bias")
    expect.eq(torch.pointer(c.weight:storage()), torch.pointer(a.weight:storage()), "weight shared")
    expect.eq(torch.pointer(c.bias:storage()), torch.pointer(a.bias:storage()), "bias shared")
    expect.truthy(torch.pointer(c.gradWeight:storage()) ~= torch.pointer(a.gradWeight:storage()),
      "gradWeight not shared")
    c.weight[1][2] = 42
    expect.eq(a.weight[1][2], 42, "write through the clone")
    expect.truthy(c.accUpdateGradParameters == c.sharedAccUpdateGradParameters,
      "shared modules update through sharedAccUpdateGradParameters")
  end)
end)

describe("nn.Module share", function()
  it("points the named tensors at the other module's", function()
    local a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    local r = b:share(a, "bias", "nosuchfield")
    expect.eq(r, b, "returns self")
    a.bias:fill(1.5)
    expect.eq(b.bias[1], 1.5, "bias shared")
    a.weight:fill(1); b.weight:fill(2)
    expect.eq(a.weight[1][1], 1, "weight not shared")
    expect.eq(b.nosuchfield, nil, "missing names are skipped")
  end)

  it("makes shared accUpdateGradParameters apply both updates once each", function()
    torch.manualSeed(3)
    local a = nn.Linear(2, 1)
    local b = a:clone()
    b:share(a, "weight", "bias")
    local w0 = a.weight:clone()
    local x, g = torch.Tensor { 1, 2 }, torch.Tensor { 1 }
    a:forward(x); b:forward(x)
    a:accUpdateGradParameters(x, g, 0.1)
    b:accUpdateGradParameters(x, g, 0.1)
    -- dE/dw = g x^T = {1, 2}; two updates of lr 0.1
    H.tensor(a.weight, { { w0[1][1] - 0.2, w0[1][2] - 0.4 } }, 1e-12, "weight")
  end)
end)

describe("nn.Module type conversion", function()
  it("converts every tensor and keeps sharing through the tensor cache", function()
    local a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b:share(a, "weight")
    local s = nn.Sequential():add(a):add(b)
    expect.eq(s:type(), "torch.DoubleTensor", "type() reports")
    expect.eq(s:float(), s, "returns self")
    expect.eq(s:type(), "torch.FloatTensor", "now float")
    expect.eq(torch.type(a.weight), "torch.FloatTensor", "weight")
    expect.eq(torch.type(b.gradBias), "torch.FloatTensor", "gradBias")
    expect.eq(torch.type(a.output), "torch.FloatTensor", "output")
    a.weight:fill(3)
    expect.eq(b.weight[1][1], 3, "still shared")
    s:double()
    a.weight:fill(5)
    expect.eq(b.weight[2][2], 5, "shared after double() too")
  end)

  it("keeps a flattened layout after conversion", function()
    local m = mlp()
    m:getParameters()
    m:float()
    local p = m:getParameters()
    expect.eq(torch.type(p), "torch.FloatTensor", "flat type")
    expect.eq(p:nElement(), 13, "still 13")
    local params = m:parameters()
    expect.eq(torch.pointer(params[1]:storage()), torch.pointer(params[4]:storage()), "one storage")
  end)
end)

describe("nn.Module utilities", function()
  it("clearState empties output and gradInput", function()
    local m = mlp()
    local x = torch.Tensor { { 1, 2 } }
    m:forward(x)
    m:backward(x, torch.Tensor { { 1 } })
    expect.eq(m:clearState(), m, "returns self")
    expect.eq(m.modules[1].output:nElement(), 0, "inner output")
    expect.eq(m.modules[2].gradInput:nElement(), 0, "inner gradInput")
    expect.eq(m.modules[1].weight:nElement(), 6, "parameters kept")
  end)

  it("apply visits the tree in preorder", function()
    local m = nn.Sequential():add(nn.Linear(1, 1)):add(nn.Sequential():add(nn.Tanh())):add(nn.ReLU())
    local seen = {}
    m:apply(function(x) seen[#seen + 1] = torch.type(x) end)
    expect.same(seen, { "nn.Sequential", "nn.Linear", "nn.Sequential", "nn.Tanh", "nn.ReLU" })
  end)

  it("findModules returns the modules and their containers", function()
    local inner = nn.Sequential():add(nn.Linear(1, 1))
    local m = nn.Sequential():add(nn.Linear(1, 2)):add(inner):add(nn.Tanh())
    local found, containers = m:findModules("nn.Linear")
    expect.eq(#found, 2, "two Linears")
    expect.eq(found[1], m.modules[1], "first")
    expect.eq(found[2], inner.modules[1], "second")
    expect.eq(containers[1], m, "outer container")
    expect.eq(containers[2], inner, "inner container")
    local seqs, sc = m:findModules("nn.Sequential")
    expect.eq(#seqs, 2, "the root counts")
    expect.eq(sc[1], m, "root's container is itself")
    expect.eq(#m:findModules("nn.Sigmoid"), 0, "none")
  end)

  it("listModules lists self then children depth first", function()
    local inner = nn.Sequential():add(nn.Tanh())
    local m = nn.Sequential():add(nn.Linear(1, 1)):add(inner)
    local l = m:listModules()
    expect.eq(#l, 4, "count")
    expect.eq(l[1], m, "self first")
    expect.eq(l[3], inner, "inner")
    expect.eq(torch.type(l[4]), "nn.Tanh", "leaf last")
  end)

  it("replace swaps modules through the tree", function()
    local m = nn.Sequential():add(nn.Tanh()):add(nn.Sequential():add(nn.Tanh()))
    m:replace(function(x)
      if torch.typename(x) == "nn.Tanh" then return nn.ReLU() end
      return x
    end)
    expect.eq(torch.type(m.modules[1]), "nn.ReLU", "top level")
    expect.eq(torch.type(m.modules[2].modules[1]), "nn.ReLU", "nested")
  end)

  it("reset(stdv) draws weights in [-stdv*sqrt(3), stdv*sqrt(3)]", function()
    local l = nn.Linear(50, 40)
    l:reset(0.01)
    local bound = 0.01 * math.sqrt(3)
    expect.truthy(l.weight:max() <= bound and l.weight:min() >= -bound, "weight in range")
    expect.truthy(l.weight:max() > 0.9 * bound, "range used")
    l:reset()
    expect.truthy(l.weight:max() <= 1 / math.sqrt(50), "default 1/sqrt(fan-in)")
  end)

  it("accUpdateGradParameters updates the weights in place", function()
    torch.manualSeed(11)
    local a = nn.Linear(3, 2)
    local b = a:clone()
    local x, g = torch.Tensor { 1, -2, 0.5 }, torch.Tensor { 0.3, -1 }
    a:forward(x); a:zeroGradParameters(); a:backward(x, g); a:updateParameters(0.5)
    b:forward(x); b:updateGradInput(x, g); b:accUpdateGradParameters(x, g, 0.5)
    H.tensor(b.weight, a.weight, 1e-14, "weight")
    H.tensor(b.bias, a.bias, 1e-14, "bias")
    expect.eq(b.gradWeight:size(1), 2, "gradWeight kept as a field")
  end)

  it("__call__ runs forward, and backward given a gradOutput", function()
    local m = nn.Linear(2, 1)
    m.weight:copy(torch.Tensor { { 2, -1 } }); m.bias:fill(0.5)
    local x = torch.Tensor { 1, 3 }
    local out = m(x)
    expect.eq(out, m.output, "the module's own output")
    expect.eq(out[1], -0.5, "2 - 3 + 0.5")
    m:zeroGradParameters()
    local o, gi = m(x, torch.Tensor { 2 })
    expect.eq(o[1], -0.5, "output")
    H.tensor(gi, { 4, -2 }, 0, "gradInput")
    H.tensor(m.gradWeight, { { 2, 6 } }, 0, "accumulated")
  end)

  it("training and evaluate set train through containers", function()
    local m = nn.Sequential():add(nn.Linear(1, 1)):add(nn.Sequential():add(nn.Tanh()))
    m:evaluate()
    expect.eq(m.train, false, "root")
    expect.eq(m.modules[2].modules[1].train, false, "leaf")
    m:training()
    expect.eq(m.modules[1].train, true, "child")
    expect.eq(m.modules[2].modules[1].train, true, "leaf")
  end)

  it("updateParameters and zeroGradParameters act on all parameters", function()
    local m = nn.Linear(1, 1)
    m.weight:fill(1); m.bias:fill(1); m.gradWeight:fill(2); m.gradBias:fill(-4)
    m:updateParameters(0.25)
    expect.eq(m.weight[1][1], 0.5, "w - lr gw")
    expect.eq(m.bias[1], 2, "b - lr gb")
    m:zeroGradParameters()
    expect.eq(m.gradWeight[1][1], 0, "zeroed")
  end)
end)

describe("nn.Jacobian", function()
  it("testJacobian reports a tiny error for a correct module", function()
    torch.manualSeed(5)
    local err = nn.Jacobian.testJacobian(nn.Linear(4, 3), torch.Tensor(2, 4))
    expect.truthy(type(err) == "number" and err < 1e-5, "Linear gradInput error " .. tostring(err))
  end)

  it("testJacobian exposes a wrong gradient", function()
    -- GradientReversal's backward is -1 times the true Jacobian of the identity: error 2
    local err = nn.Jacobian.testJacobian(nn.GradientReversal(), torch.Tensor(5))
    expect.near(err, 2, 1e-6, "reported error")
  end)

  it("testJacobianParameters checks weight and bias gradients", function()
    local m = nn.Linear(3, 2)
    local x = torch.Tensor(4, 3)
    expect.truthy(nn.Jacobian.testJacobianParameters(m, x, m.weight, m.gradWeight) < 1e-5, "weight")
    expect.truthy(nn.Jacobian.testJacobianParameters(m, x, m.bias, m.gradBias) < 1e-5, "bias")
  end)

  it("testJacobianUpdateParameters checks accUpdateGradParameters", function()
    local m = nn.Linear(3, 2)
    local err = nn.Jacobian.testJacobianUpdateParameters(m, torch.Tensor(3), m.weight)
    expect.truthy(err < 1e-5, "weight update error " .. err)
  end)

  it("forward builds the finite-difference Jacobian in Torch7's layout", function()
    local m = nn.MulConstant(3)
    local x = torch.Tensor { 1, 2 }
    local j = nn.Jacobian.forward(m, x)
    H.tensor(j, { { 3, 0 }, { 0, 3 } }, 1e-8, "d out_j / d in_i, rows = inputs")
    H.tensor(nn.Jacobian.backward(m, x), { { 3, 0 }, { 0, 3 } }, 1e-12, "from backward")
  end)

  it("testAllUpdate agrees across the four update paths", function()
    for _, case in ipairs { { nn.Linear(3, 2), "weight", "gradWeight" }, { nn.CMul(3), "weight", "gradWeight" },
      { nn.Add(3), "bias", "gradBias" } } do
      local errors = nn.Jacobian.testAllUpdate(case[1], torch.randn(2, 3), case[2], case[3])
      local n = 0
      for name, err in pairs(errors) do
        n = n + 1
        expect.truthy(err < 1e-12, torch.type(case[1]) .. " " .. name .. " error " .. err)
      end
      expect.eq(n, 4, "four checks")
    end
  end)

  it("testIO round-trips a module through a file", function()
    local a, b = nn.Jacobian.testIO(nn.Linear(3, 2), torch.Tensor(2, 3))
    expect.eq(a, 0, "forward equal")
    expect.eq(b, 0, "backward equal")
  end)
end)
