-- graph.Graph: a directed graph kept as two tables, `nodes` and `edges`, each both a list
-- and an object -> position map (Torch7's layout; nngraph's .t7 files store them so).
local torch = require "torch"
local Graph = torch.class("graph.Graph")

-- a fresh object of obj's own class (Torch7 calls obj.new; subclasses such as nngraph.Node
-- must survive clone and reverse)
local function newLike(obj, ...)
  return torch.getconstructortable(torch.typename(obj))(...)
end

function Graph:__init()
  self.nodes = {}
  self.edges = {}
end

local function insertOnce(list, item)
  if not list[item] then
    list[#list + 1] = item
    list[item] = #list
  end
end

-- add(edge) or add({edge1, edge2, ...}); nodes get their position in the graph as `id`
function Graph:add(edge)
  if type(edge) ~= "table" then
    error("graph.Edge or {graph.Edges} expected, got " .. type(edge), 2)
  end
  if not torch.typename(edge) then
    for _, e in ipairs(edge) do self:add(e) end
    return
  end
  insertOnce(self.edges, edge)
  insertOnce(self.nodes, edge.from)
  insertOnce(self.nodes, edge.to)
  edge.from:add(edge.to)
  edge.from.id = self.nodes[edge.from]
  edge.to.id = self.nodes[edge.to]
end

-- new nodes and edges sharing the nodes' data
function Graph:clone()
  local copy = graph.Graph()
  local twins = {}
  for i, node in ipairs(self.nodes) do twins[i] = newLike(node, node.data) end
  for _, e in ipairs(self.edges) do
    copy:add(newLike(e, twins[self.nodes[e.from]], twins[self.nodes[e.to]]))
  end
  return copy
end

-- the graph with every edge turned around (new nodes sharing the data), and the map
-- from this graph's nodes to the new ones
function Graph:reverse()
  local reversed, map = graph.Graph(), {}
  for _, e in ipairs(self.edges) do
    map[e.from] = map[e.from] or newLike(e.from, e.from.data)
    map[e.to] = map[e.to] or newLike(e.to, e.to.data)
    reversed:add(newLike(e, map[e.to], map[e.from]))
  end
  return reversed, map
end

-- nodes in an order where every node comes after all the nodes with an edge into it;
-- also returns the reversed graph and its roots (Torch7's three results)
function Graph:topsort()
  local reversed, map = self:reverse()
  local original = {}
  for node, twin in pairs(map) do original[twin] = node end
  local roots = reversed:roots()
  if #roots == 0 then error("Graph has cycles", 2) end
  local sorted = {}
  for _, root in ipairs(roots) do
    root:dfs(function(node) sorted[#sorted + 1] = original[node] end)
  end
  if #sorted ~= #self.nodes then error("Graph has cycles", 2) end
  return sorted, reversed, roots
end

-- the `from` (or `to`) ends that are never on the other side of an edge, in node order
local function ends(self, side, other)
  local found = {}
  for _, e in ipairs(self.edges) do found[e[side]] = true end
  for _, e in ipairs(self.edges) do found[e[other]] = nil end
  local list = {}
  for node in pairs(found) do list[#list + 1] = node end
  table.sort(list, function(a, b) return self.nodes[a] < self.nodes[b] end)
  return list
end

function Graph:roots() return ends(self, "from", "to") end
function Graph:leaves() return ends(self, "to", "from") end

-- a cycle anywhere: reachable from a root, or in a part of the graph without roots
function Graph:hasCycle()
  local roots = self:roots()
  local reached = 0
  for _, root in ipairs(roots) do
    if root:hasCycle() then return true end
  end
  for _, root in ipairs(roots) do
    root:bfs(function() reached = reached + 1 end)
  end
  return reached < #self.nodes
end

-- a quoted dot identifier unless it is plain letters
local function dotEscape(text)
  if not text:find("[^a-zA-Z]") then return text end
  return '"' .. text:gsub("\n", "\\n"):gsub('"', '\\"') .. '"'
end

local function attributeString(attributes)
  local parts = {}
  for k, v in pairs(attributes) do parts[#parts + 1] = tostring(k) .. "=" .. dotEscape(tostring(v)) end
  return " " .. table.concat(parts, " ")
end

-- canonical: each node's attributes (label included) sorted by name, comma-separated, as
-- graphviz itself writes dot files
local function dotText(self, title, canonical)
  local out = { "digraph G {\n" }
  if title then out[#out + 1] = 'labelloc="t";\nlabel="' .. title .. '";\n' end
  out[#out + 1] = "node [shape = oval]; "
  for _, node in ipairs(self.nodes) do
    local name = node.graphNodeName and node:graphNodeName() or ("Node" .. node.id)
    local attributes = node.graphNodeAttributes and node:graphNodeAttributes() or {}
    local label = dotEscape(name .. "\n" .. node:label())
    if canonical then
      local all = { label = label }
      for k, v in pairs(attributes) do all[k] = v end
      local parts = {}
      for k, v in pairs(all) do
        parts[#parts + 1] = tostring(k) .. "=" .. (k == "label" and v or dotEscape(tostring(v)))
      end
      table.sort(parts)
      out[#out + 1] = "\nn" .. node.id .. " [" .. table.concat(parts, ", ") .. "];"
    else
      local extra = node.graphNodeAttributes and attributeString(attributes) or ""
      out[#out + 1] = "\nn" .. node.id .. "[label=" .. label .. extra .. "];"
    end
  end
  out[#out + 1] = "\n"
  for _, e in ipairs(self.edges) do
    out[#out + 1] = "n" .. e.from.id .. " -> n" .. e.to.id .. ";\n"
  end
  out[#out + 1] = "}"
  return table.concat(out)
end

-- graphviz dot text: one `n<id>` per node labelled with its name and label(), then the edges
function Graph:todot(title)
  return dotText(self, title, false)
end

-- the same graph with each node's attributes sorted by name, as graphviz writes dot files
-- (what Torch7's graph.dot saved)
function graph._canonicalDot(g, title)
  return dotText(g, title, true)
end

return Graph
