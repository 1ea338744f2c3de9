-- graph.Node: data plus an ordered set of children (`children` is both a list and a
-- child -> position map, as in Torch7). Traversals mark nodes with `visited`/`marked`
-- and clear the marks when they finish.
local torch = require "torch"
local Node = torch.class("graph.Node")

function Node:__init(data)
  self.data = data
  self.id = 0
  self.children = {}
  self.visited = false
  self.marked = false
end

-- add(child) or add({child1, child2, ...}); a child already present is not added twice
function Node:add(child)
  local children = self.children
  if type(child) == "table" and not torch.typename(child) then
    for _, c in ipairs(child) do self:add(c) end
  elseif not children[child] then
    children[#children + 1] = child
    children[child] = #children
  end
end

-- depth-first walk over the nodes not yet visited: pre(node) before the children,
-- post(node) after them
function Node:visit(pre, post)
  if self.visited then return end
  if pre then pre(self) end
  for _, child in ipairs(self.children) do child:visit(pre, post) end
  if post then post(self) end
end

function Node:label()
  return tostring(self.data)
end

-- the graph of every edge reachable from this node, in breadth-first order
function Node:graph()
  local g = graph.Graph()
  self:bfs(function(node)
    for _, child in ipairs(node.children) do g:add(graph.Edge(node, child)) end
  end)
  return g
end

-- post-order depth-first traversal (children before parents); leaves `visited` set on the
-- nodes it returns
function Node:dfs_dirty(func)
  local order = {}
  self:visit(function(node) node.visited = true end,
             function(node) func(node); order[#order + 1] = node end)
  return order
end

function Node:dfs(func)
  for _, node in ipairs(self:dfs_dirty(func)) do node.visited = false end
end

-- breadth-first traversal from this node; leaves `marked` set on the nodes it returns
function Node:bfs_dirty(func)
  local order, queue, head = {}, { self }, 1
  self.marked = true
  while queue[head] do
    local node = queue[head]
    head = head + 1
    order[#order + 1] = node
    func(node)
    for _, child in ipairs(node.children) do
      if not child.marked then
        child.marked = true
        queue[#queue + 1] = child
      end
    end
  end
  return order
end

function Node:bfs(func)
  for _, node in ipairs(self:bfs_dirty(func)) do node.marked = false end
end

-- true when a cycle is reachable from this node: a child still on the depth-first path
function Node:hasCycle()
  local onPath, done, found = {}, {}, false
  local function walk(node)
    if found or done[node] then return end
    if onPath[node] then found = true; return end
    onPath[node] = true
    for _, child in ipairs(node.children) do walk(child) end
    onPath[node] = nil
    done[node] = true
  end
  walk(self)
  return found
end

return Node
