-- Containers: Sequential (against real Torch7 numbers), Concat, ConcatTable, ParallelTable,
-- Parallel; their printouts in Torch7's exact format.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
local fixture = dofile(here .. "tests/fixtures/nn_sequential_manifest.lua")

local function T(entry) return torch.Tensor(entry.data):view(torch.LongStorage(entry.size)) end

-- relative 1e-6 (absolute below 1), as the brief asks of the manifest comparison
local function like_torch7(actual, entry, what)
  H.tensor(actual, T(entry), 1e-6, what)
end

describe("nn.Sequential against Torch7", function()
  local function model()
    torch.manualSeed(fixture.seed)
    return nn.Sequential():add(nn.Linear(2, 3)):add(nn.Sigmoid()):add(nn.Linear(3, 1))
  end

  it("builds the same parameters from the same seed", function()
    local m = model()
    local params = m:parameters()
    for i, entry in ipairs(fixture.parameters) do
      H.tensor(params[i], T(entry), 0, fixture.parameter_names[i])
    end
  end)

  it("forward, backward and parameter gradients match Torch7", function()
    local m = model()
    local params = m:parameters()
    for i, entry in ipairs(fixture.parameters) do params[i]:copy(T(entry)) end
    like_torch7(m:forward(T(fixture.single_input)), fixture.single_output, "single output")
    local out = m:forward(T(fixture.input))
    like_torch7(out, fixture.output, "output")
    for i, entry in ipairs(fixture.module_outputs) do
      like_torch7(m.modules[i].output, entry, "module " .. i .. " output")
    end
    m:zeroGradParameters()
    local gi = m:backward(T(fixture.input), T(fixture.gradOutput))
    like_torch7(gi, fixture.gradInput, "gradInput")
    local _, grads = m:parameters()
    for i, entry in ipairs(fixture.gradParameters) do
      like_torch7(grads[i], entry, "grad of " .. fixture.parameter_names[i])
    end
  end)
end)

describe("nn.Sequential", function()
  it("add/get/size/insert/remove keep output and gradInput pointing at the ends", function()
    local a, b, c = nn.Linear(2, 2), nn.Tanh(), nn.ReLU()
    local s = nn.Sequential()
    expect.eq(s:add(a), s, "add returns self")
    s:add(c)
    s:insert(b, 2)
    expect.eq(s:size(), 3, "size")
    expect.eq(s:get(2), b, "inserted")
    expect.eq(s.output, c.output, "output is the last module's")
    expect.eq(s.gradInput, a.gradInput, "gradInput is the first module's")
    s:remove(1)
    expect.eq(s:get(1), b, "removed the first")
    expect.eq(s.gradInput, b.gradInput, "gradInput follows")
    s:remove()
    expect.eq(s:size(), 1, "removed the last")
    expect.error(function() s:insert(a, 5) end, "index should be contiguous to existing modules")
    expect.error(function() s:remove(3) end, "index out of range")
  end)

  it("chains the gradient (Jacobian)", function()
    local s = nn.Sequential():add(nn.Linear(3, 4)):add(nn.Tanh()):add(nn.Linear(4, 2))
    local x = torch.Tensor(2, 3)
    expect.truthy(nn.Jacobian.testJacobian(s, x) < 1e-5, "gradInput")
    local p, g = s:getParameters()
    expect.truthy(nn.Jacobian.testJacobianParameters(s, x, p, g) < 1e-5, "all parameters")
  end)

  it("names the failing module in errors", function()
    local s = nn.Sequential():add(nn.Linear(2, 2)):add(nn.Linear(3, 1))
    expect.error(function() s:forward(torch.Tensor(2)) end, "In 2 module of nn.Sequential")
  end)

  it("prints as Torch7", function()
    local s = nn.Sequential():add(nn.Linear(2, 3)):add(nn.Sequential():add(nn.Tanh())):add(nn.Sigmoid())
    expect.eq(tostring(s), "nn.Sequential {\n" ..
      "  [input -> (1) -> (2) -> (3) -> output]\n" ..
      "  (1): nn.Linear(2 -> 3)\n" ..
      "  (2): nn.Sequential {\n" ..
      "    [input -> (1) -> output]\n" ..
      "    (1): nn.Tanh\n" ..
      "  }\n" ..
      "  (3): nn.Sigmoid\n" ..
      "}")
    expect.eq(tostring(nn.Sequential()), "nn.Sequential {\n  [input -> output]\n}", "empty")
  end)
end)

describe("nn.Concat", function()
  local function concat()
    return nn.Concat(2):add(nn.Identity()):add(nn.MulConstant(2))
  end

  it("joins the outputs along the dimension and sums the gradients", function()
    local c = concat()
    local x = torch.Tensor { { 1, 2 }, { 3, 4 } }
    H.tensor(c:forward(x), { { 1, 2, 2, 4 }, { 3, 4, 6, 8 } }, 0, "output")
    local g = torch.Tensor { { 1, 1, 1, 1 }, { 0, 1, 0, -1 } }
    -- identity part + 2 * scaled part
    H.tensor(c:backward(x, g), { { 3, 3 }, { 0, -1 } }, 0, "gradInput")
    expect.same(c.outputSize:totable(), { 2, 4 }, "outputSize")
  end)

  it("passes the Jacobian check and gathers its modules' parameters", function()
    local c = nn.Concat(1):add(nn.Linear(3, 2)):add(nn.Linear(3, 4))
    local x = torch.Tensor(3)
    expect.truthy(nn.Jacobian.testJacobian(c, x) < 1e-5, "gradInput")
    local p, g = c:getParameters()
    expect.eq(p:nElement(), 3 * 2 + 2 + 3 * 4 + 4, "parameters of both")
    expect.truthy(nn.Jacobian.testJacobianParameters(c, x, p, g) < 1e-5, "parameters")
  end)

  it("prints its branches as Torch7", function()
    local c = nn.Concat(2):add(nn.Linear(3, 2)):add(nn.Sequential():add(nn.Tanh()))
    expect.eq(tostring(c), "nn.Concat {\n" ..
      "  input\n" ..
      "    |`-> (1): nn.Linear(3 -> 2)\n" ..
      "     `-> (2): nn.Sequential {\n" ..
      "           [input -> (1) -> output]\n" ..
      "           (1): nn.Tanh\n" ..
      "         }\n" ..
      "     ... -> output\n" ..
      "}")
  end)
end)

describe("nn.ConcatTable", function()
  it("feeds one input to every module and returns their outputs", function()
    local c = nn.ConcatTable():add(nn.Identity()):add(nn.MulConstant(-3))
    local x = torch.Tensor { 1, 2 }
    local out = c:forward(x)
    expect.eq(#out, 2, "two outputs")
    H.tensor(out[1], { 1, 2 }, 0, "first")
    H.tensor(out[2], { -3, -6 }, 0, "second")
    local gi = c:backward(x, { torch.Tensor { 1, 0 }, torch.Tensor { 1, 1 } })
    H.tensor(gi, { -2, -3 }, 0, "sum of the gradients")
    expect.truthy(H.gradInputError(nn.ConcatTable():add(nn.Linear(2, 3)):add(nn.Tanh()), torch.randn(2)) < 1e-5,
      "Jacobian")
  end)

  it("sums table gradInputs leaf by leaf for a table input", function()
    local c = nn.ConcatTable():add(nn.Identity()):add(nn.Identity())
    local x = { torch.Tensor { 1 }, torch.Tensor { 2 } }
    c:forward(x)
    local gi = c:backward(x, { { torch.Tensor { 1 }, torch.Tensor { 2 } }, { torch.Tensor { 10 }, torch.Tensor { 20 } } })
    H.tensor(gi[1], { 11 }, 0, "first leaf")
    H.tensor(gi[2], { 22 }, 0, "second leaf")
  end)

  it("prints as Torch7", function()
    local c = nn.ConcatTable():add(nn.Identity()):add(nn.Linear(1, 1))
    expect.eq(tostring(c), "nn.ConcatTable {\n  input\n    |`-> (1): nn.Identity\n" ..
      "     `-> (2): nn.Linear(1 -> 1)\n     ... -> output\n}")
  end)
end)

describe("nn.ParallelTable", function()
  it("applies module i to input[i]", function()
    local p = nn.ParallelTable():add(nn.MulConstant(2)):add(nn.AddConstant(1))
    local out = p:forward({ torch.Tensor { 1, 2 }, torch.Tensor { 5 } })
    H.tensor(out[1], { 2, 4 }, 0, "first")
    H.tensor(out[2], { 6 }, 0, "second")
    local gi = p:backward({ torch.Tensor { 1, 2 }, torch.Tensor { 5 } }, { torch.Tensor { 1, 1 }, torch.Tensor { 3 } })
    H.tensor(gi[1], { 2, 2 }, 0, "first grad")
    H.tensor(gi[2], { 3 }, 0, "second grad")
    local m = nn.ParallelTable():add(nn.Linear(2, 2)):add(nn.Tanh())
    expect.truthy(H.gradInputError(m, { torch.randn(2), torch.randn(3) }) < 1e-5, "Jacobian")
    expect.truthy(H.paramError(m, { torch.randn(2), torch.randn(3) }, m.modules[1].weight,
      m.modules[1].gradWeight) < 1e-5, "parameters")
  end)

  it("prints every branch with |`-> as Torch7 does", function()
    local p = nn.ParallelTable():add(nn.Identity()):add(nn.Sequential():add(nn.Tanh()))
    expect.eq(tostring(p), "nn.ParallelTable {\n  input\n    |`-> (1): nn.Identity\n" ..
      "    |`-> (2): nn.Sequential {\n    |      [input -> (1) -> output]\n    |      (1): nn.Tanh\n" ..
      "    |    }\n     ... -> output\n}")
  end)
end)

describe("nn.Parallel", function()
  it("applies module i to slice i and joins the outputs", function()
    local p = nn.Parallel(1, 1):add(nn.MulConstant(2)):add(nn.MulConstant(3))
    local x = torch.Tensor { { 1, 2 }, { 3, 4 } }
    H.tensor(p:forward(x), { 2, 4, 9, 12 }, 0, "output")
    H.tensor(p:backward(x, torch.Tensor { 1, 1, 1, -1 }), { { 2, 2 }, { 3, -3 } }, 0, "gradInput")
    local q = nn.Parallel(2, 1):add(nn.Linear(3, 2)):add(nn.Linear(3, 1))
    local y = torch.Tensor(3, 2)
    expect.truthy(nn.Jacobian.testJacobian(q, y) < 1e-5, "Jacobian")
    local w, gw = q:getParameters()
    expect.truthy(nn.Jacobian.testJacobianParameters(q, y, w, gw) < 1e-5, "parameters")
  end)

  it("prints as Torch7", function()
    local p = nn.Parallel(1, 1):add(nn.Tanh()):add(nn.Sequential():add(nn.Tanh()))
    expect.eq(tostring(p), "nn.Parallel {\n  input\n    |`-> (1): nn.Tanh\n" ..
      "    |`-> (2): nn.Sequential {\n           [input -> (1) -> output]\n           (1): nn.Tanh\n" ..
      "         }\n     ... -> output\n}")
  end)
end)

describe("nn.Container", function()
  it("forwards zeroGradParameters, updateParameters and parameters to its modules", function()
    local c = nn.ConcatTable():add(nn.Linear(1, 1)):add(nn.Linear(1, 1))
    for _, m in ipairs(c.modules) do
      m.weight:fill(1); m.bias:fill(0); m.gradWeight:fill(1); m.gradBias:fill(1)
    end
    local w = c:parameters()
    expect.eq(#w, 4, "two weights and two biases")
    c:updateParameters(0.5)
    expect.eq(c.modules[2].weight[1][1], 0.5, "updated")
    c:zeroGradParameters()
    expect.eq(c.modules[1].gradBias[1], 0, "zeroed")
  end)
end)
