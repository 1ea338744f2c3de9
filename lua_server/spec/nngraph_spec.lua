-- nngraph: building graphs of modules, running them forward and backward through branches
-- and table-valued nodes, their parameters, copies, types, .t7 files, and the errors that
-- name the node at fault and where it was declared.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local H = dofile(here .. "lua_server/spec/nn_helpers.lua")
require "nngraph"

local T = torch.Tensor
local SPEC = debug.getinfo(1, "S").short_src

-- "[file]:line_": nngraph's label for a node declared on that line of this file
local function declaredAt(line)
  return string.format("[%s]:%d_", SPEC, line)
end

-- y = W x + b with the given weight rows and bias
local function linear(rows, bias)
  local l = nn.Linear(#rows[1], #rows)
  l.weight:copy(T(rows))
  l.bias:copy(T(bias))
  return l
end

-- x -> Linear(2,2) -> {Tanh, MulConstant(3)} -> CAddTable: a branch that joins again
local function branching()
  local x = nn.Identity()()
  local h = linear({ { 1, 2 }, { 0, -1 } }, { 0.5, 0 })(x)
  local out = nn.CAddTable()({ nn.Tanh()(h), nn.MulConstant(3)(h) })
  return nn.gModule({ x }, { out }), x, h, out
end

describe("nngraph building", function()
  it("makes a node per module call, inputs kept in order in data.mapindex", function()
    local a, b = nn.Identity()(), nn.Identity()()
    local sum = nn.CAddTable()({ a, b })
    expect.eq(torch.typename(sum), "nngraph.Node")
    expect.eq(torch.typename(sum.data.module), "nn.CAddTable")
    expect.eq(sum.data.mapindex[1], a.data, "first input")
    expect.eq(sum.data.mapindex[2], b.data, "second input")
    expect.eq(sum.data.mapindex[b.data], 2)
    expect.truthy(a.data.reverseMap[sum], "the input knows its consumer")
    expect.same(sum.children, { a, b, [a] = 1, [b] = 2 })
  end)

  it("labels a node with the line that declared it", function()
    local line = debug.getinfo(1, "l").currentline + 1
    local node = nn.Tanh()(nn.Identity()())
    expect.eq(node.data.annotations._debugLabel, declaredAt(line))
    local crit = nn.MSECriterion()({ node, nn.Identity()() })
    expect.eq(crit.data.annotations._debugLabel, declaredAt(line + 2), "a criterion node too")
    expect.eq(torch.typename(crit.data.module), "nn.ModuleFromCriterion")
  end)

  it("builds a gModule with Torch7's fields", function()
    local g, x, h, out = branching()
    expect.eq(torch.typename(g), "nn.gModule")
    expect.eq(torch.typename(g.fg), "graph.Graph")
    expect.eq(torch.typename(g.bg), "graph.Graph")
    expect.eq(#g.forwardnodes, 7, "input, 5 nodes, output")
    expect.eq(#g.backwardnodes, 7)
    expect.eq(g.nInputs, 1)
    expect.eq(g.innode, g.forwardnodes[1], "the input node comes first")
    expect.eq(g.outnode, g.backwardnodes[1], "the output node starts the backward pass")
    expect.eq(g.forwardnodes[2].data, x.data, "nodes share their data with the declared ones")
    expect.eq(g.modules[2], h.data.module, "modules in forward order")
    expect.eq(#g.modules, 5)
    expect.eq(h.data.forwardNodeId, g.forwardnodes[3].id)
    expect.eq(tostring(g), "nn.gModule")
  end)

  it("names nodes after local variables (annotateNodes) and keeps explicit names", function()
    local input = nn.Identity()()
    local hidden = nn.Linear(2, 2)(input):annotate({ name = "kept" })
    nngraph.annotateNodes()
    expect.eq(input.data.annotations.name, "input")
    expect.eq(hidden.data.annotations.name, "kept")
    expect.eq(hidden:graphNodeName(), "kept (0)")
    expect.eq(hidden:graphNodeAttributes().tooltip, hidden.data.annotations._debugLabel)
  end)

  it("nests nodes into one node with a nested output (nngraph.nest)", function()
    local a, b = nn.Identity()(), nn.Identity()()
    local nested = nngraph.nest({ a, { b } })
    local g = nn.gModule({ a, b }, { nested })
    local out = g:forward({ T { 1 }, T { 2 } })
    H.tensor(out[1], { 1 }, 0, "first")
    H.tensor(out[2][1], { 2 }, 0, "nested")
  end)
end)

describe("nn.gModule forward and backward", function()
  it("sums the gradients of a branch that joins again (hand-derived)", function()
    local g = branching()
    -- h = (1*1 + 2*2 + 0.5, -2) = (5.5, -2); out = tanh(h) + 3h
    local out = g:forward(T { 1, 2 })
    H.tensor(out, { math.tanh(5.5) + 16.5, math.tanh(-2) - 6 }, 1e-14, "output")
    -- dout/dh = 1 - tanh(h)^2 + 3; dx = W^T dh
    local d1, d2 = 4 - math.tanh(5.5) ^ 2, 4 - math.tanh(-2) ^ 2
    local gi = g:backward(T { 1, 2 }, T { 1, 1 })
    H.tensor(gi, { d1, 2 * d1 - d2 }, 1e-14, "gradInput")
    H.tensor(g.modules[2].gradWeight, { { d1, 2 * d1 }, { d2, 2 * d2 } }, 1e-14, "gradWeight")
    H.tensor(g.modules[2].gradBias, { d1, d2 }, 1e-14, "gradBias")
  end)

  it("passes the Jacobian checks for input and parameters", function()
    local g = branching()
    local x = torch.randn(3, 2)
    expect.truthy(nn.Jacobian.testJacobian(g, x) < 1e-6, "input")
    local lin = g.modules[2]
    expect.truthy(nn.Jacobian.testJacobianParameters(g, x, lin.weight, lin.gradWeight) < 1e-6, "weight")
    expect.truthy(nn.Jacobian.testJacobianParameters(g, x, lin.bias, lin.gradBias) < 1e-6, "bias")
  end)

  it("takes several inputs and gives several outputs", function()
    local a, b = nn.Identity()(), nn.Identity()()
    local prod = nn.CMulTable()({ a, b })
    local g = nn.gModule({ a, b }, { prod, nn.Identity()(a) })
    local out = g:forward({ T { 2, 3 }, T { 5, 7 } })
    expect.eq(#out, 2)
    H.tensor(out[1], { 10, 21 }, 0, "product")
    H.tensor(out[2], { 2, 3 }, 0, "a again")
    local gi = g:backward({ T { 2, 3 }, T { 5, 7 } }, { T { 1, 1 }, T { 10, 100 } })
    H.tensor(gi[1], { 15, 107 }, 0, "d/da: b + the identity's gradient")
    H.tensor(gi[2], { 2, 3 }, 0, "d/db: a")
    expect.truthy(H.gradInputError(g, { torch.randn(4), torch.randn(4) }) < 1e-6, "finite differences")
  end)

  it("splits a table-valued node (SplitTable, node:split) and a nested input", function()
    local x, state = nn.Identity()(), nn.Identity()()
    local h, c = state:split(2)
    local rows1, rows2 = nn.SplitTable(1)(x):split(2)
    local out = nn.CAddTable()({ nn.CMulTable()({ rows1, h }), nn.CMulTable()({ rows2, c }) })
    local g = nn.gModule({ x, state }, { out })
    local input = { T { { 1, 2 }, { 3, 4 } }, { T { 10, 20 }, T { 100, 200 } } }
    H.tensor(g:forward(input), { 310, 840 }, 0, "output")
    local gi = g:backward(input, T { 1, -1 })
    H.tensor(gi[1], { { 10, -20 }, { 100, -200 } }, 0, "d/dx")
    expect.eq(type(gi[2]), "table", "the state's gradient is a table like the state")
    H.tensor(gi[2][1], { 1, -2 }, 0, "d/dh")
    H.tensor(gi[2][2], { 3, -4 }, 0, "d/dc")
    local r = { torch.randn(2, 3), { torch.randn(3), torch.randn(3) } }
    expect.truthy(H.gradInputError(g, r) < 1e-6, "finite differences")
  end)

  it("split(1) wraps the single element (JustElement)", function()
    local x = nn.Identity()()
    local only = x:split(1)
    expect.eq(torch.typename(only.data.module), "nngraph.JustElement")
    local g = nn.gModule({ x }, { only })
    H.tensor(g:forward({ T { 4 } }), { 4 }, 0, "the element")
  end)

  it("runs a criterion as a node (ModuleFromCriterion)", function()
    local pred, target = nn.Identity()(), nn.Identity()()
    local loss = nn.MSECriterion()({ pred, target })
    local g = nn.gModule({ pred, target }, { loss })
    H.tensor(g:forward({ T { 1, 3 }, T { 0, 0 } }), { 5 }, 0, "mean squared error")
    local gi = g:backward({ T { 1, 3 }, T { 0, 0 } }, T { 2 })
    H.tensor(gi[1], { 2, 6 }, 0, "2 * (pred - target) / n * gradOutput")
    H.tensor(gi[2], { 0, 0 }, 0, "no gradient for the target")
  end)

  it("switches training and evaluation for every module", function()
    local x = nn.Identity()()
    local g = nn.gModule({ x }, { nn.Dropout(0.5)(x) })
    g:evaluate()
    expect.eq(g.modules[2].train, false)
    H.tensor(g:forward(T { 1, 2, 3 }), { 1, 2, 3 }, 0, "dropout off")
    g:training()
    expect.eq(g.modules[2].train, true)
  end)
end)

describe("nn.gModule parameters, copies and types", function()
  it("lists the modules' parameters in forward order", function()
    local x = nn.Identity()()
    local l1 = nn.Linear(2, 3)
    local l2 = nn.Linear(3, 1)
    local g = nn.gModule({ x }, { l2(nn.Tanh()(l1(x))) })
    local p, gp = g:parameters()
    expect.eq(#p, 4)
    expect.eq(p[1], l1.weight)
    expect.eq(gp[4], l2.gradBias)
    local flat, gradFlat = g:getParameters()
    expect.eq(flat:nElement(), 6 + 3 + 3 + 1)
    expect.eq(gradFlat:nElement(), 13)
  end)

  it("clones into an independent copy, or one sharing named parameters", function()
    local g = branching()
    local x = torch.randn(2)
    local copy = g:clone()
    H.tensor(copy:forward(x), g:forward(x):clone(), 0, "same output")
    copy.modules[2].weight:fill(0)
    expect.truthy(g.modules[2].weight:abs():sum() > 0, "original untouched")
    local shared = g:clone("weight", "bias")
    shared.modules[2].weight:fill(1)
    H.tensor(g.modules[2].weight, { { 1, 1 }, { 1, 1 } }, 0, "weight shared")
    local other = branching()
    other:share(g, "weight")
    H.tensor(other.modules[2].weight, { { 1, 1 }, { 1, 1 } }, 0, "share")
  end)

  it("converts to float and back, in modules and in the graph's buffers", function()
    local g = branching()
    local x = T { 1, 2 }
    local expected = g:forward(x):clone()
    g:backward(x, T { 1, 1 })
    g:float()
    expect.eq(torch.typename(g.modules[2].weight), "torch.FloatTensor")
    expect.eq(torch.typename(g.output), "torch.FloatTensor")
    expect.eq(torch.typename(g.innode.data.input[1]), "torch.FloatTensor")
    local out = g:forward(x:float())
    expect.eq(torch.typename(out), "torch.FloatTensor")
    H.tensor(out:double(), expected, 1e-5, "float output")
    g:double()
    H.tensor(g:forward(x), expected, 1e-6, "double again")
  end)

  it("clears its run-time state and runs again", function()
    local g = branching()
    local x = T { 1, 2 }
    local expected = g:forward(x):clone()
    g:backward(x, T { 1, 1 })
    g:clearState()
    for _, node in ipairs(g.forwardnodes) do expect.eq(node.data.input, nil, "inputs dropped") end
    H.tensor(g:forward(x), expected, 0, "same output")
  end)

  it("round-trips through a .t7 file with Torch7's class names and shared node data", function()
    local g = branching()
    local x = torch.randn(2)
    local expected = g:forward(x):clone()
    local name = os.tmpname()
    torch.save(name, g)
    local loaded = torch.load(name)
    os.remove(name)
    expect.eq(torch.typename(loaded), "nn.gModule")
    expect.eq(torch.typename(loaded.innode), "nngraph.Node")
    expect.eq(torch.typename(loaded.fg.edges[1]), "graph.Edge")
    expect.eq(loaded.forwardnodes[3].data.module, loaded.modules[2], "modules shared with nodes")
    local bgData = {}
    for _, node in ipairs(loaded.bg.nodes) do bgData[node.data] = true end
    for _, node in ipairs(loaded.fg.nodes) do expect.truthy(bgData[node.data], "fg and bg share data") end
    H.tensor(loaded:forward(x), expected, 0, "same output")
    expect.truthy(nn.Jacobian.testJacobian(loaded, torch.randn(2)) < 1e-6, "still differentiable")
  end)
end)

describe("nngraph errors", function()
  it("names a failing node and the line that declared it", function()
    local x = nn.Identity()()
    local line = debug.getinfo(1, "l").currentline + 1
    local bad = nn.Linear(3, 2)(x)
    local g = nn.gModule({ x }, { nn.Tanh()(bad) })
    local err = expect.error(function() g:forward(torch.randn(5)) end, "In nngraph node nn.Linear(3 -> 2)")
    expect.truthy(err:find("declared at " .. declaredAt(line), 1, true), err)
    bad:annotate({ name = "projection" })
    expect.error(function() g:forward(torch.randn(5)) end, "In nngraph node projection declared at")
  end)

  it("refuses what is not a node, naming the position", function()
    expect.error(function() nn.Linear(2, 2)(nn.Identity()(), nn.Identity()()) end,
      "Use {input1, input2} to pass multiple inputs.")
    expect.error(function() nn.Linear(2, 2)({ nn.Identity() }) end,
      "inputs[1] is an nn.Module, specifically a nn.Identity, but the only valid thing")
    expect.error(function() nn.Tanh()({}) end, "cannot pass an empty table of inputs")
    local line = debug.getinfo(1, "l").currentline + 1
    expect.error(function() nn.Tanh()(nil) end, SPEC .. ":" .. line .. ": inputs[1] is nil (typo / bad index?)")
    local x = nn.Identity()()
    expect.error(function() nn.gModule({ x }, { x, nil, x }) end, SPEC .. ":" .. (line + 2) .. ": outputs[2] is nil")
    expect.error(function() nn.gModule({ x }, { 3 }) end, "outputs[1] should be an nngraph.Node but is of type number")
  end)

  it("finds unused split outputs and nodes that lead nowhere, naming where", function()
    local line = debug.getinfo(1, "l").currentline + 1
    local state = nn.Identity()()
    local h = state:split(2)
    expect.error(function() nn.gModule({ state }, { h }) end,
      "1 of split(2) outputs from the node declared at " .. declaredAt(line)
      .. string.format(" split at [%s]:%d-mnode are unused", SPEC, line + 1))
    local a = nn.Identity()()
    local dangling = nn.Sigmoid()(a)
    expect.error(function() nn.gModule({ a }, { nn.Tanh()(a) }) end,
      "node declared on " .. dangling.data.annotations._debugLabel .. " does not connect to gmodule output")
  end)

  it("counts inputs and gradOutputs", function()
    local a, b = nn.Identity()(), nn.Identity()()
    local g = nn.gModule({ a, b }, { a, b })
    expect.error(function() g:forward(T { 1 }) end, "expecting table of 2 inputs")
    expect.error(function() g:forward({ T { 1 } }) end, "Got 1 inputs instead of 2")
    g:forward({ T { 1 }, T { 2 } })
    expect.error(function() g:backward({ T { 1 }, T { 2 } }, { T { 1 } }) end, "Got 1 gradOutputs instead of 2")
  end)

  it("with setDebug, saves the failing graph with the failed node in red", function()
    local x = nn.Identity()()
    local bad = nn.Linear(3, 2)(x)
    local g = nn.gModule({ x }, { bad })
    g.name = os.tmpname()
    nngraph.setDebug(true)
    pcall(g.forward, g, torch.randn(5))
    nngraph.setDebug(false)
    local f = io.open(g.name .. ".dot")
    expect.truthy(f, "dot file written")
    local text = f:read("*a")
    f:close()
    os.remove(g.name .. ".dot"); os.remove(g.name .. ".svg"); os.remove(g.name)
    local badId
    for _, node in ipairs(g.fg.nodes) do if node.data == bad.data then badId = node.id end end
    expect.truthy(text:find("n" .. badId .. "%[style=filled, fillcolor=red%];\n}$"), text)
  end)
end)

describe("nngraph dot output", function()
  it("draws a gModule's graph with node names, annotations and tooltips", function()
    local x = nn.Identity()():annotate({ name = "Input", graphAttributes = { color = "red" } })
    local g = nn.gModule({ x }, { nn.Tanh()(x):annotate({ description = "squash" }) })
    local base = os.tmpname()
    graph.dot(g.fg, "G", base)
    local f = io.open(base .. ".dot")
    local text = f:read("*a")
    f:close()
    os.remove(base .. ".dot"); os.remove(base .. ".svg"); os.remove(base)
    expect.truthy(text:find('%[color=red,.-label="Input %(%d%)\\n'), text)
    expect.truthy(text:find("desc = squash", 1, true), "description")
    expect.truthy(text:find("module = nn.Tanh", 1, true), "module in the label")
    expect.truthy(text:find('tooltip="[' .. SPEC, 1, true), "tooltip says where")
  end)
end)

describe("nngraph.simple_print", function()
  it("shows only the working modules, joined across the hidden ones", function()
    local x = nn.Identity()()
    local h = nn.Tanh()(nn.Identity()(nn.Linear(2, 2)(x)))
    local g = nn.gModule({ x }, { h })
    local text = nngraph.simple_print.todot(g.fg, "S")
    local linearId, tanhId
    for _, node in ipairs(g.fg.nodes) do
      if node.data.module and torch.typename(node.data.module) == "nn.Linear" then linearId = node.id end
      if node.data.module and torch.typename(node.data.module) == "nn.Tanh" then tanhId = node.id end
    end
    expect.truthy(text:find(string.format("n%d -> n%d;", linearId, tanhId), 1, true), text)
    expect.eq(select(2, text:gsub("%[label=", "")), 2, "two nodes shown")
    expect.eq(select(2, text:gsub("n%d+ %-> n%d+;\n", "")), 1, "one edge")
    expect.truthy(text:find('label="S";', 1, true), "title")
  end)
end)
