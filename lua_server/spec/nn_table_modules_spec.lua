-- Table-valued containers and modules: MapTable, ZipTable, ZipTableOneToMany, MixtureTable,
-- CriterionTable, ModuleCriterion, DepthConcat. Values are hand-derived; gradients are
-- checked by finite differences.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
local C = dofile(here .. "lua_server/spec/nn_checks.lua")
local T = torch.Tensor
torch.manualSeed(1)  -- fixed draws: the statistical checks cannot fail by chance

describe("nn.MapTable", function()
  it("applies one module (shared clones) to every element", function()
    local lin = nn.Linear(2, 1)
    lin.weight:copy(T { { 1, 2 } })
    lin.bias:fill(1)
    local m = nn.MapTable(lin)
    local out = m:forward({ T { 1, 1 }, T { 2, 0 }, T { 0, 1 } })
    expect.eq(#out, 3, "one output per element")
    H.tensor(out[1], { 4 }, 0, "first")
    H.tensor(out[2], { 3 }, 0, "second")
    H.tensor(out[3], { 3 }, 0, "third")
    expect.eq(m:size(), 3, "clones made")
    expect.truthy(torch.pointer(m:get(3).weight:storage()) == torch.pointer(lin.weight:storage()), "shared")
    m:zeroGradParameters()
    m:backward({ T { 1, 1 }, T { 2, 0 }, T { 0, 1 } }, { T { 1 }, T { 1 }, T { 1 } })
    H.tensor(lin.gradWeight, { { 3, 2 } }, 0, "gradients of all elements accumulate in one place")
    H.tensor(lin.gradBias, { 3 }, 0, "bias gradient")
    m:clearState()
    expect.eq(m:size(), 1, "clearState drops the clones")
    expect.eq(tostring(m), "nn.MapTable {\n  nn.Linear(2 -> 1)\n}")
    expect.truthy(H.gradInputError(nn.MapTable(nn.Linear(3, 2)), { torch.randn(3), torch.randn(3) }) < 1e-6,
      "finite differences")
    C.floatMatches(m, { torch.randn(2), torch.randn(2) })
    C.roundTrip(m, { torch.randn(2), torch.randn(2) })
  end)

  it("keeps unshared clones independent", function()
    local m = nn.MapTable(nn.Linear(2, 1), false)
    m:forward({ torch.randn(2), torch.randn(2) })
    expect.truthy(torch.pointer(m:get(2).weight:storage()) ~= torch.pointer(m:get(1).weight:storage()),
      "own weights")
    H.tensor(m:get(2).weight, m:get(1).weight, 0, "copied values")
    expect.error(function() m:add(nn.Identity()) end, "holds one module")
  end)
end)

describe("nn.ZipTable and nn.ZipTableOneToMany", function()
  it("transpose tables of tables", function()
    local a1, a2, b1, b2 = T { 1 }, T { 2 }, T { 3 }, T { 4 }
    local out = nn.ZipTable():forward({ { a1, a2 }, { b1, b2 } })
    expect.truthy(out[1][1] == a1 and out[1][2] == b1 and out[2][1] == a2 and out[2][2] == b2, "zipped")
    local z = nn.ZipTableOneToMany()
    local v = T { 1, 2 }
    local zout = z:forward({ v, { a1, a2, b1 } })
    expect.eq(#zout, 3, "one pair per element")
    expect.truthy(zout[2][1] == v and zout[2][2] == a2, "pairs")
    local gi = z:backward({ v, { T { 0 }, T { 0 }, T { 0 } } },
      { { T { 1, 1 }, T { 5 } }, { T { 2, 0 }, T { 6 } }, { T { 0, 3 }, T { 7 } } })
    H.tensor(gi[1], { 3, 4 }, 0, "the shared element's gradient is the sum")
    H.tensor(gi[2][3], { 7 }, 0, "the others pass through")
    expect.error(function() z:forward({ v }) end, "input must be {element, table}")
    C.roundTrip(nn.ZipTable(), { { a1, a2 }, { b1, b2 } })
  end)
end)

describe("nn.MixtureTable", function()
  it("mixes experts by the gater's weights (table and tensor experts)", function()
    local gater = T { { 0.25, 0.75 } }
    local e1, e2 = T { { 4, 8 } }, T { { 0, 4 } }
    local m = nn.MixtureTable()
    H.tensor(m:forward({ gater, { e1, e2 } }), { { 1, 5 } }, 1e-12, "table experts")
    local gi = m:backward({ gater, { e1, e2 } }, T { { 1, 1 } })
    H.tensor(gi[1], { { 12, 4 } }, 1e-12, "gater gradient is <gradOutput, expert>")
    H.tensor(gi[2][2], { { 0.75, 0.75 } }, 1e-12, "expert gradient is gate * gradOutput")
    local mt = nn.MixtureTable(2)
    local experts = torch.cat(e1:view(1, 1, 2), e2:view(1, 1, 2), 2)
    H.tensor(mt:forward({ gater, experts }), { { 1, 5 } }, 1e-12, "tensor experts")
    expect.truthy(H.gradInputError(nn.MixtureTable(), { torch.rand(3, 2), { torch.randn(3, 4), torch.randn(3, 4) } })
      < 1e-6, "finite differences, table experts")
    expect.truthy(H.gradInputError(nn.MixtureTable(2), { torch.rand(3, 2), torch.randn(3, 2, 4) }) < 1e-6,
      "finite differences, tensor experts")
    expect.truthy(H.gradInputError(nn.MixtureTable(), { torch.rand(3), { torch.randn(4), torch.randn(4), torch.randn(4) } })
      < 1e-6, "finite differences, one sample")
    expect.error(function() nn.MixtureTable():forward({ T { { 1, 0 } }, { e1 } }) end, "2 gater outputs for 1 experts")
    C.floatMatches(nn.MixtureTable(), { torch.rand(3, 2), { torch.randn(3, 4), torch.randn(3, 4) } })
    C.clears(mt, { gater, experts })
    C.roundTrip(nn.MixtureTable(), { torch.rand(3, 2), { torch.randn(3, 4), torch.randn(3, 4) } })
  end)
end)

describe("nn.CriterionTable", function()
  it("is a criterion as a module taking {input, target}", function()
    local m = nn.CriterionTable(nn.MSECriterion())
    local input = { T { 1, 3 }, T { 0, 0 } }
    expect.near(m:forward(input), 5, 1e-12, "mean squared error")
    local gi = m:backward(input, 1)
    expect.eq(#gi, 1, "a gradient for the input only")
    H.tensor(gi[1], { 1, 3 }, 1e-12, "2 (x - t) / n")
    C.roundTrip(m, input)
  end)
end)

describe("nn.ModuleCriterion", function()
  it("applies the criterion to transformed input and target, back through the input module", function()
    local c = nn.ModuleCriterion(nn.MSECriterion(), nn.MulConstant(2), nn.MulConstant(3))
    local x, t = T { 1, 2 }, T { 1, 1 }
    expect.near(c:forward(x, t), ((2 - 3) ^ 2 + (4 - 3) ^ 2) / 2, 1e-12, "loss")
    H.tensor(c:backward(x, t), { -2, 2 }, 1e-12, "2 * (2x - 3t) / n * 2")
    expect.truthy(H.criterionError(nn.ModuleCriterion(nn.MSECriterion(), nn.Tanh()), torch.randn(3), torch.randn(3))
      < 1e-6, "finite differences")
    c:float()
    expect.near(c:forward(x:float(), t:float()), 1, 1e-6, "float")
  end)
end)

describe("nn.DepthConcat", function()
  it("centres smaller outputs in zero-padded windows", function()
    local m = nn.DepthConcat(1)
    m:add(nn.Identity())
    m:add(nn.Narrow(2, 2, 1))
    local x = T { { 1, 2, 3 } }
    -- outputs 1x3 and 1x1: the second is centred at column floor((3-1)/2)+1 = 2
    H.tensor(m:forward(x), { { 1, 2, 3 }, { 0, 2, 0 } }, 0, "padded")
    H.tensor(m:backward(x, T { { 1, 1, 1 }, { 5, 7, 9 } }), { { 1, 8, 1 } }, 0, "gradient from both windows")
    local conv = nn.DepthConcat(2)
    conv:add(nn.SpatialConvolution(2, 2, 1, 1)):add(nn.SpatialConvolution(2, 1, 3, 3))
    expect.truthy(nn.Jacobian.testJacobian(conv, torch.Tensor(2, 2, 4, 4)) < 1e-5, "Jacobian wrt input")
    local w, gw = conv:get(2).weight, conv:get(2).gradWeight
    expect.truthy(nn.Jacobian.testJacobianParameters(conv, torch.Tensor(2, 2, 4, 4), w, gw) < 1e-5,
      "Jacobian wrt a branch's weight")
    expect.truthy(tostring(conv):find("^nn.DepthConcat {"), "prints as a concat")
    C.floatMatches(conv, torch.randn(2, 2, 4, 4))
    C.clears(conv, torch.randn(2, 2, 4, 4))
    C.roundTrip(conv, torch.randn(2, 2, 4, 4))
  end)
end)
