-- graph: Torch7's directed graphs (Graph, Node, Edge) and their traversals and dot text.
require "graph"

-- a -> b, a -> c, b -> d, c -> d (a diamond), nodes holding 1..4
local function diamond()
  local n = { graph.Node(1), graph.Node(2), graph.Node(3), graph.Node(4) }
  local g = graph.Graph()
  g:add(graph.Edge(n[1], n[2]))
  g:add({ graph.Edge(n[1], n[3]), graph.Edge(n[2], n[4]) })
  g:add(graph.Edge(n[3], n[4]))
  return g, n
end

local function datas(nodes)
  local out = {}
  for i, node in ipairs(nodes) do out[i] = node.data end
  return out
end

describe("graph.Graph", function()
  it("keeps nodes and edges as lists and as object -> position maps, ids by position", function()
    local g, n = diamond()
    expect.eq(#g.nodes, 4, "nodes")
    expect.eq(#g.edges, 4, "edges")
    expect.eq(g.nodes[n[3]], 3, "position of node 3")
    expect.same(datas(g.nodes), { 1, 2, 3, 4 })
    expect.same({ n[1].id, n[2].id, n[3].id, n[4].id }, { 1, 2, 3, 4 })
    g:add(g.edges[1])
    expect.eq(#g.edges, 4, "an edge added twice counts once")
    expect.eq(#n[1].children, 2, "children")
    expect.eq(torch.typename(g), "graph.Graph")
    expect.eq(torch.typename(g.edges[1]), "graph.Edge")
  end)

  it("finds roots and leaves in node order", function()
    local g = diamond()
    expect.same(datas(g:roots()), { 1 })
    expect.same(datas(g:leaves()), { 4 })
    local extra = graph.Node(5)
    g:add(graph.Edge(extra, g.nodes[2]))
    expect.same(datas(g:roots()), { 1, 5 })
  end)

  it("sorts topologically, returning the reversed graph and its roots", function()
    local g = diamond()
    local sorted, reversed, roots = g:topsort()
    expect.same(datas(sorted), { 1, 2, 3, 4 })
    expect.eq(sorted[1], g.nodes[1], "the graph's own nodes")
    expect.same(datas(reversed:roots()), { 4 })
    expect.same(datas(roots), { 4 })
  end)

  it("reverses and clones into new nodes that share the data", function()
    local g = diamond()
    local shared = {}
    g.nodes[1].data = shared
    local r, map = g:reverse()
    expect.same(datas(r:roots()), { 4 })
    expect.eq(map[g.nodes[1]].data, shared, "data shared")
    expect.truthy(map[g.nodes[1]] ~= g.nodes[1], "new node")
    local c = g:clone()
    expect.eq(#c.nodes, 4)
    expect.eq(#c.edges, 4)
    expect.eq(c.nodes[1].data, shared)
    expect.truthy(c.nodes[1] ~= g.nodes[1], "new node")
  end)

  it("tells a cycle, and topsort refuses one", function()
    local g, n = diamond()
    expect.eq(g:hasCycle(), false)
    g:add(graph.Edge(n[4], n[2]))
    expect.eq(g:hasCycle(), true)
    expect.error(function() g:topsort() end, "Graph has cycles")
    local ring = graph.Graph()
    local a, b = graph.Node("a"), graph.Node("b")
    ring:add({ graph.Edge(a, b), graph.Edge(b, a) })
    expect.eq(ring:hasCycle(), true, "a graph with no root")
  end)

  it("names what it wanted when given something else", function()
    expect.error(function() graph.Graph():add(3) end, "graph.Edge or {graph.Edges} expected, got number")
  end)
end)

describe("graph.Node", function()
  it("walks breadth-first and depth-first (post-order), clearing its marks", function()
    local _, n = diamond()
    local seen = {}
    n[1]:bfs(function(node) seen[#seen + 1] = node.data end)
    expect.same(seen, { 1, 2, 3, 4 })
    seen = {}
    n[1]:dfs(function(node) seen[#seen + 1] = node.data end)
    expect.same(seen, { 4, 2, 3, 1 })
    for i = 1, 4 do
      expect.eq(n[i].visited, false, "visited cleared")
      expect.eq(n[i].marked, false, "marked cleared")
    end
  end)

  it("builds the graph reachable from it", function()
    local _, n = diamond()
    local g = n[2]:graph()
    expect.same(datas(g.nodes), { 2, 4 })
    expect.eq(#g.edges, 1)
  end)

  it("labels itself with its data", function()
    expect.eq(graph.Node(42):label(), "42")
  end)
end)

describe("graph dot output", function()
  it("writes Torch7's dot text", function()
    local g = diamond()
    expect.eq(g:todot("T"), 'digraph G {\nlabelloc="t";\nlabel="T";\nnode [shape = oval]; '
      .. '\nn1[label="Node1\\n1"];\nn2[label="Node2\\n2"];\nn3[label="Node3\\n3"];\nn4[label="Node4\\n4"];\n'
      .. "n1 -> n2;\nn1 -> n3;\nn2 -> n4;\nn3 -> n4;\n}")
  end)

  it("graph.dot saves <name>.dot, attributes sorted as graphviz writes them", function()
    local g = diamond()
    g.nodes[1].graphNodeAttributes = function() return { color = "red", tooltip = "t t" } end
    local base = os.tmpname()
    local dotName = graph.dot(g, "T", base)
    expect.eq(dotName, base .. ".dot")
    local f = io.open(base .. ".dot")
    local text = f:read("*a")
    f:close()
    os.remove(base .. ".dot"); os.remove(base .. ".svg"); os.remove(base)
    -- graphviz, when installed, adds layout attributes between ours and re-indents
    expect.truthy(text:find('n1%s*%[color=red,.-label="Node1\\n1",.-tooltip="t t"'), text)
    expect.truthy(text:find("n3 %-> n4"), "edges")
    expect.truthy(graph._canonicalDot(g, "T"):find(
      'n1 [color=red, label="Node1\\n1", tooltip="t t"];', 1, true), "without graphviz")
    expect.error(function() graph.dot(g, "T") end, "a file name (without extension) is needed")
  end)

  it("lays graphs out with graphviz when it is installed, and says so when it is not", function()
    local g = diamond()
    local base = os.tmpname()
    os.remove(base)
    if not graph.haveGraphviz() then
      expect.error(function() graph.graphvizLayout(g) end, "graphviz could not be loaded")
      expect.error(function() graph.graphvizFile(g, "dot", base .. ".svg") end,
        "graphviz could not be loaded")
      return
    end
    local positions = graph.graphvizLayout(g)
    expect.eq(table.concat(positions:size():totable(), "x"), "4x2")
    expect.truthy(positions:min() >= 0 and positions:max() <= 1, "inside the unit square")
    expect.truthy(positions[1][2] > positions[4][2], "the root above the leaf")
    local name = base .. ".svg"
    graph.graphvizFile(g, "dot", name)
    local f = io.open(name)
    local svg = f:read("*a")
    f:close()
    os.remove(name)
    expect.truthy(svg:find("<svg", 1, true), "an svg picture")
  end)
end)
